import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { BaseMessage } from '@langchain/core/messages';
import type { Trigger } from '../deploy/schemas.js';
import { answerFromError } from './dispatch.js';
import type { Approval } from './flow.js';
import type { Session } from './session.js';

/**
 * One request answered by a chat model (FRONTENDOPS_MODEL), audited like the offline router's: the
 * request, every tool call and the result go to the audit log. `ask` and `chat` both end here.
 */
export async function runModelRequest(
  session: Session,
  model: BaseChatModel,
  text: string,
  options: { approval: Approval; trigger: Extract<Trigger, 'cli' | 'chat'>; history?: BaseMessage[] },
) {
  const { askModel } = await import('./model.js');
  const flowCtx = await session.startRequest({ trigger: options.trigger, text, approval: options.approval });
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
