import { InProgressError, OmnibotError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { retry } from '../retry.ts';
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
  /**
   * Aborted on shutdown: a pending wait ends at once and the message is tried one last time (logged
   * as not processed if that fails too).
   */
  signal?: AbortSignal;
  /** The channel's last look at each message, inside its turn (the runtime's `ReceiveOptions.prepare`). */
  prepare?: (message: InboundMessage) => Promise<InboundMessage>;
}

async function receiveOne(
  runtime: ConversationRuntime,
  message: InboundMessage,
  logger: Logger,
  options: ReceiveOptions,
): Promise<void> {
  const delays = options.delaysMs ?? INBOUND_RETRY_DELAYS_MS;
  const waitInProgressUntil = Date.now() + (options.inProgressLimitMs ?? IN_PROGRESS_LIMIT_MS);
  const ids = { conversationId: message.conversationId, messageId: message.id };
  /** The last call's attempt number: the failures so far (a busy answer does not use one up). */
  let lastAttempt = 0;
  try {
    // The runtime releases a failed claim, so a second try processes the message once.
    await retry(
      (attempt) => {
        lastAttempt = attempt;
        return options.prepare ? runtime.receive(message, { prepare: options.prepare }) : runtime.receive(message);
      },
      {
        attempts: delays.length + 1,
        delay: delays,
        // Another attempt holds the message and is alive: ask again until it answers or dies (then the
        // claim expires and the next call processes the message). Never dropped while it may be lost.
        isBusy: (error) => error instanceof InProgressError && Date.now() < waitInProgressUntil,
        // A refusal (validation, conflict) will not change on a second try; a store hiccup may.
        shouldRetry: (error) => !(error instanceof OmnibotError && error.status < 500),
        // The runtime's Retry-After is for HTTP clients: this loop keeps its ~30 s schedule.
        honorRetryAfter: false,
        signal: options.signal,
        // Shutdown ends the wait, not the message: it is tried once more before it is given up.
        finalAttemptOnAbort: true,
        unref: true,
        onRetry: (error, { attempt, busy, delayMs }) => {
          if (busy) return logger.info(ids, 'inbound message held by another attempt: waiting for it');
          logger.warn({ ...ids, attempt, err: error, delayMs }, 'inbound message failed: retrying');
        },
      },
    );
  } catch (error) {
    const fields = { ...ids, attempt: Math.max(1, lastAttempt), err: error };
    logger.error(
      options.signal?.aborted ? { ...fields, shuttingDown: true } : fields,
      'inbound message could not be processed',
    );
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
    logger.warn({ conversationId, err: error }, 'store failed the readiness probe: webhook refused with 503');
    return false;
  } finally {
    clearTimeout(timer);
  }
}
