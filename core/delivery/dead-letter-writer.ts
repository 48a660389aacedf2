import type { Logger } from '../log.ts';
import { deadLetters } from '../metrics/registry.ts';
import { backoffDelay } from '../retry.ts';
import type { OutboundMessage } from '../types.ts';
import { splitConversationId } from '../types.ts';
import { detachedItem, type Item, type ItemNumbering } from './delivery-item.ts';
import type { DeadLetter, DeadLetterPolicy, DeadLetterStore, LateFailure } from './types.ts';

/** Why a message was not delivered: what the dead letter records besides the message and its counts. */
export type Failure = Omit<
  DeadLetter,
  'id' | 'channel' | 'conversationId' | 'message' | 'attempts' | 'rounds' | 'failedAt' | 'nextRetryAt'
>;

/** Kept when the dispatcher closes before a message could be delivered: the next process retries it. */
export const SHUTDOWN: Failure = { code: 'shutdown', reason: 'dispatcher closed before delivery', retryable: true };

export interface DeadLetterWriterDeps {
  store: DeadLetterStore;
  policy: DeadLetterPolicy;
  logger: Logger;
  numbering: ItemNumbering;
}

/** Writes the dead-letter list: failed messages, superseded retries, and failures reported late. */
export function createDeadLetterWriter({ store, policy, logger, numbering }: DeadLetterWriterDeps) {
  /** Keeps a message that was not delivered; a retryable one gets its next automatic retry (doubling each round). */
  async function deadLetter(item: Item, failure: Failure): Promise<void> {
    const rounds = item.rounds + 1;
    const automatic = failure.retryable && rounds < policy.maxRounds;
    const firstRetry = { baseMs: policy.firstRetryDelayMs, jitter: 'none' } as const;
    const entry: DeadLetter = {
      id: item.id,
      channel: splitConversationId(item.message.conversationId).channel,
      conversationId: item.message.conversationId,
      message: item.message,
      ...(item.partsSent > 0 ? { partsSent: item.partsSent } : {}),
      dispatchOrder: item.order,
      ...failure,
      attempts: item.attempts,
      rounds,
      failedAt: new Date().toISOString(),
      nextRetryAt: automatic ? Date.now() + backoffDelay(rounds, firstRetry) : null,
    };
    deadLetters.inc({ channel: entry.channel });
    logger.error(
      {
        conversationId: entry.conversationId,
        deliveryId: entry.id,
        code: entry.code,
        platformCode: entry.platformCode,
        reason: entry.reason,
        attempts: entry.attempts,
        rounds,
        partsSent: entry.partsSent,
        nextRetryAt: entry.nextRetryAt,
      },
      'outbound message not delivered: kept in the dead-letter list',
    );
    await keep(entry);
  }

  /**
   * An automatic retry that a newer delivered message made stale: not sent (it would arrive out of order)
   * but kept, not retryable, for operators; `retryDeadLetters({ all: true })` can still send it.
   */
  async function supersede(item: Item, origin: DeadLetter, newerOrder: number): Promise<void> {
    const entry: DeadLetter = {
      ...origin,
      ...(item.partsSent > 0 ? { partsSent: item.partsSent } : {}),
      dispatchOrder: item.order,
      code: 'superseded',
      reason: `a newer message of the conversation was delivered first (last failure: ${origin.code}: ${origin.reason})`,
      retryable: false,
      nextRetryAt: null,
    };
    logger.warn(
      {
        conversationId: entry.conversationId,
        deliveryId: entry.id,
        rounds: entry.rounds,
        dispatchOrder: item.order,
        newerOrder,
      },
      'dead letter superseded by a newer delivered message: not retried',
    );
    await keep(entry);
  }

  /** A failure the platform reported after accepting the message (e.g. a WhatsApp `failed` status). */
  async function lateFailure(message: OutboundMessage, order: number, failure: LateFailure): Promise<void> {
    const { partsSent, ...described } = failure;
    const item = detachedItem(message, { id: numbering.nextId(), rounds: 0, partsSent, order }, 1);
    await deadLetter(item, described);
  }

  async function keep(entry: DeadLetter): Promise<void> {
    try {
      await store.add(entry);
    } catch (error) {
      // Last resort: the whole message goes to the log so that it can still be recovered by hand.
      logger.error({ conversationId: entry.conversationId, err: error, deadLetter: entry }, 'dead-letter store failed');
    }
  }

  return { deadLetter, supersede, lateFailure };
}

export type DeadLetterWriter = ReturnType<typeof createDeadLetterWriter>;
