import { InProgressError, OmnibotError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { ConversationRuntime } from '../runtime/types.ts';
import type { InboundMessage } from '../types.ts';

/**
 * Waits between attempts while the store is failing: about 30 s in all, so that a short Redis outage
 * (a failover, a restart) does not lose a message the webhook already answered.
 */
export const INBOUND_RETRY_DELAYS_MS = [100, 250, 500, 1_000, 2_000, 4_000, 8_000, 8_000, 6_000];

/**
 * How long a redelivered message keeps waiting while another attempt (this process or another one)
 * holds it: until that attempt answers (nothing left to do) or dies (this one takes it over).
 */
export const IN_PROGRESS_LIMIT_MS = 5 * 60_000;

export interface ReceiveOptions {
  /** Default `INBOUND_RETRY_DELAYS_MS`. */
  delaysMs?: readonly number[];
  /** Default `IN_PROGRESS_LIMIT_MS`. */
  inProgressLimitMs?: number;
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
  const waitInProgressUntil = Date.now() + (options.inProgressLimitMs ?? IN_PROGRESS_LIMIT_MS);
  let attempt = 0;
  for (;;) {
    try {
      await runtime.receive(message);
      return;
    } catch (error) {
      // Another attempt holds the message and is alive: ask again until it answers or dies (then the
      // claim expires and the next call processes the message). Never dropped while it may be lost.
      if (error instanceof InProgressError && !options.signal?.aborted && Date.now() < waitInProgressUntil) {
        logger.info(
          { conversationId: message.conversationId, messageId: message.id },
          'inbound message held by another attempt: waiting for it',
        );
        await sleep(error.retryAfterMs ?? 1_000, options.signal);
        continue;
      }
      // A refusal (validation, conflict) will not change on a second try; a store hiccup may.
      const permanent = error instanceof OmnibotError && error.status < 500;
      const delay = permanent || options.signal?.aborted ? undefined : delays[attempt];
      attempt++;
      const fields = { conversationId: message.conversationId, messageId: message.id, attempt, error };
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
