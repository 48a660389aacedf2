import { OmnibotError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { ConversationRuntime } from '../runtime/types.ts';
import type { InboundMessage } from '../types.ts';

/**
 * Waits between attempts while the store is failing: about 30 s in all, so that a short Redis outage
 * (a failover, a restart) does not lose a message the webhook already answered.
 */
export const INBOUND_RETRY_DELAYS_MS = [100, 250, 500, 1_000, 2_000, 4_000, 8_000, 8_000, 6_000];

export interface ReceiveOptions {
  /** Default `INBOUND_RETRY_DELAYS_MS`. */
  delaysMs?: readonly number[];
  /** Aborted on shutdown: pending retries stop (the message is logged as not processed). */
  signal?: AbortSignal;
}

/** A wait that neither keeps the process alive nor outlives `signal`. */
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    signal?.addEventListener('abort', done, { once: true });
  });

async function receiveOne(
  runtime: ConversationRuntime,
  message: InboundMessage,
  logger: Logger,
  options: ReceiveOptions,
): Promise<void> {
  const delays = options.delaysMs ?? INBOUND_RETRY_DELAYS_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      await runtime.receive(message);
      return;
    } catch (error) {
      // A refusal (validation, conflict) will not change on a second try; a store hiccup may.
      const permanent = error instanceof OmnibotError && error.status < 500;
      const delay = permanent || options.signal?.aborted ? undefined : delays[attempt];
      const fields = { conversationId: message.conversationId, messageId: message.id, attempt: attempt + 1, error };
      if (delay === undefined) {
        logger.error(
          options.signal?.aborted ? { ...fields, shuttingDown: true } : fields,
          'inbound message could not be processed',
        );
        return;
      }
      // The runtime releases a failed claim, so a second try processes the message once.
      logger.warn({ ...fields, delayMs: delay }, 'inbound message failed: retrying');
      await sleep(delay, options.signal);
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
  options: ReceiveOptions = {},
): Promise<void> {
  const byConversation = new Map<string, InboundMessage[]>();
  for (const message of messages) {
    const list = byConversation.get(message.conversationId);
    if (list) list.push(message);
    else byConversation.set(message.conversationId, [message]);
  }
  await Promise.all(
    [...byConversation.values()].map(async (list) => {
      for (const message of list) await receiveOne(runtime, message, logger, options);
    }),
  );
}

/**
 * A cheap readiness probe before a webhook answers 200: one read of the conversation (one Redis GET).
 * False when the store fails or does not answer within `timeoutMs`: the webhook answers 503 and the
 * platform delivers again later, instead of the message being lost after a 200.
 */
export async function storeAccepting(
  runtime: ConversationRuntime,
  conversationId: string,
  logger: Logger,
  timeoutMs = 2_000,
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
    timer.unref();
  });
  try {
    const outcome = await Promise.race([runtime.getConversation(conversationId).then(() => 'ok' as const), timedOut]);
    if (outcome === 'ok') return true;
    logger.warn({ conversationId, timeoutMs }, 'store did not answer the readiness probe: webhook refused with 503');
    return false;
  } catch (error) {
    logger.warn({ conversationId, error }, 'store failed the readiness probe: webhook refused with 503');
    return false;
  } finally {
    clearTimeout(timer);
  }
}
