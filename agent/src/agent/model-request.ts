import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { BaseMessage } from '@langchain/core/messages';
import type { Trigger } from '../deploy/schemas.js';
import { answerFromError } from './dispatch.js';
import type { Approval } from './flow.js';
import { routeIntent, wordsMandate } from './intent.js';
import type { Session } from './session.js';

/**
 * One request answered by a chat model (FRONTENDOPS_MODEL), audited like the offline router's: the
 * request, every tool call and the result go to the audit log. `ask` and `chat` both end here.
 *
 * The model may only change what the person's own words plainly order, as the offline router reads
 * them (their mandate): a question, a preview, a negated or unclear target, or `--dry-run` lets it
 * run dry runs and reads only. The model never sees a way around that: the flow checks it.
 */
export async function runModelRequest(
  session: Session,
  model: BaseChatModel,
  text: string,
  options: {
    approval: Approval;
    trigger: Extract<Trigger, 'cli' | 'chat'>;
    history?: BaseMessage[];
    /** `--dry-run`: nothing may change, whatever the words say. */
    dryRun?: boolean;
  },
) {
  const { askModel } = await import('./model.js');
  const mandate = wordsMandate(routeIntent(text), options.dryRun ? 'it was asked with --dry-run' : undefined);
  const flowCtx = await session.startRequest({
    trigger: options.trigger,
    text,
    approval: options.approval,
    mandate,
  });
  const started = flowCtx.now().getTime();
  try {
    const turn = await askModel(flowCtx, model, text, {
      redact: session.redactor.text,
      ...(options.history ? { history: options.history } : {}),
    });
    await flowCtx.tools.trail.write({
      kind: 'result',
      status: 'answered',
      durationMs: flowCtx.now().getTime() - started,
    });
    return turn;
  } catch (error) {
    const answer = answerFromError(error, session.redactor.text);
    await flowCtx.tools.trail
      .write({
        kind: 'result',
        status: 'failed',
        code: answer.error?.code ?? 'INTERNAL',
        message: answer.error?.message ?? '',
        durationMs: flowCtx.now().getTime() - started,
      })
      .catch(() => undefined);
    throw error;
  }
}
