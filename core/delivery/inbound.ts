import { OmnibotError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { ConversationRuntime } from '../runtime/types.ts';
import type { InboundMessage } from '../types.ts';

const RETRY_DELAYS_MS = [100, 500];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function receiveOne(runtime: ConversationRuntime, message: InboundMessage, logger: Logger): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await runtime.receive(message);
      return;
    } catch (error) {
      // A refusal (validation, conflict) will not change on a second try; a store hiccup may.
      const permanent = error instanceof OmnibotError && error.status < 500;
      const delay = permanent ? undefined : RETRY_DELAYS_MS[attempt];
      const fields = { conversationId: message.conversationId, messageId: message.id, attempt: attempt + 1, error };
      if (delay === undefined) {
        logger.error(fields, 'inbound message could not be processed');
        return;
      }
      // The runtime releases a failed claim, so a second try processes the message once.
      logger.warn(fields, 'inbound message failed: retrying');
      await sleep(delay);
    }
  }
}

/**
 * Hands a webhook's messages to the runtime after the webhook was answered: in order within a
 * conversation, conversations in parallel. Never rejects; failures are logged.
 */
export async function receiveInBackground(
  runtime: ConversationRuntime,
  messages: InboundMessage[],
  logger: Logger,
): Promise<void> {
  const byConversation = new Map<string, InboundMessage[]>();
  for (const message of messages) {
    const list = byConversation.get(message.conversationId);
    if (list) list.push(message);
    else byConversation.set(message.conversationId, [message]);
  }
  await Promise.all(
    [...byConversation.values()].map(async (list) => {
      for (const message of list) await receiveOne(runtime, message, logger);
    }),
  );
}
