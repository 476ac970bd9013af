import type { FrontendOpsError } from '../errors.js';
import { type Answer, answerFromError } from './dispatch.js';
import type { Reconnection } from './session.js';

/**
 * Requests of long-lived processes (`chat`, `schedule`) outlive the endpoints they started with: the
 * sandbox is stopped and started again on other ports, and its config file is rewritten. Before each
 * request the session re-reads the config and follows it (one line says so). A request that fails
 * because an endpoint is unreachable runs once more only when the config moved meanwhile and the
 * request wrote nothing: an acting request that may have partly run is never repeated silently.
 */

/** The session as this module needs it (a fake in unit tests). */
export interface Reconnectable {
  refresh(): Promise<Reconnection | undefined>;
  writes(): number;
  redactor: { text: (text: string) => string };
  explain(error: unknown): Promise<FrontendOpsError>;
}

/**
 * Follows the config before a request. Returns an answer only when the config no longer loads (the
 * request must not run on wiring the file no longer describes); otherwise undefined.
 */
export async function followConfig(
  session: Reconnectable,
  notify: (line: string) => void,
): Promise<Answer | undefined> {
  try {
    const moved = await session.refresh();
    if (moved) notify(moved.notice);
    return undefined;
  } catch (error) {
    return answerFromError(await session.explain(error), session.redactor.text);
  }
}

/** Runs one request with `followConfig` before it and at most one safe retry after a moved endpoint. */
export async function withReconnect(
  session: Reconnectable,
  run: () => Promise<Answer>,
  notify: (line: string) => void,
): Promise<Answer> {
  const refused = await followConfig(session, notify);
  if (refused) return refused;
  const writesBefore = session.writes();
  const answer = await run();
  if (answer.error?.code !== 'ENDPOINT_UNREACHABLE') return answer;
  let moved: Reconnection | undefined;
  try {
    moved = await session.refresh();
  } catch {
    // The config broke too: the answer already says what is unreachable and how to start it.
    return answer;
  }
  // Same config: the endpoint is down, not moved. The answer's hint says how to start it.
  if (!moved) return answer;
  if (session.writes() !== writesBefore) {
    notify(
      `${moved.notice} The failed request was not repeated: it may have changed something — check with \`frontendops status\` before asking again.`,
    );
    return answer;
  }
  notify(`${moved.notice} Trying the request again (it had changed nothing).`);
  return run();
}
