import { within } from '../shutdown.ts';
import { type OutboundMessage, splitConversationId } from '../types.ts';
import { createMemoryDeadLetterStore } from './dead-letter.ts';
import { createDeadLetterWriter, SHUTDOWN } from './dead-letter-writer.ts';
import { createDeliveredMarks } from './delivered-marks.ts';
import { createItemNumbering, detachedItem, type Item } from './delivery-item.ts';
import { ConversationLanes, type Lane } from './lanes.ts';
import { createChannelPacing } from './pacing.ts';
import { attemptSend } from './send-attempt.ts';
import type {
  DeadLetter,
  DeadLetterPolicy,
  OutboundDispatcher,
  OutboundDispatcherOptions,
  RetryPolicy,
} from './types.ts';
import { CancellableWaits } from './waits.ts';

const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };
const DEFAULT_DEAD_LETTER: DeadLetterPolicy = { intervalMs: 60_000, firstRetryDelayMs: 60_000, maxRounds: 5 };
/** Dead letters looked at per retry round. */
const RETRY_BATCH = 1000;

/**
 * Outbound delivery for every channel. `dispatch` routes a message to its channel and queues it in
 * its conversation's lane; each lane's head is paced, sent with ordered retries, and dead-lettered
 * when it cannot be delivered (`deliverHead`). Dead letters are retried on a timer.
 */
export function createOutboundDispatcher(options: OutboundDispatcherOptions): OutboundDispatcher {
  const { registry } = options;
  const logger = options.logger.child({ component: 'delivery' });
  const retryPolicy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const deadPolicy: DeadLetterPolicy = { ...DEFAULT_DEAD_LETTER, ...options.deadLetter };
  const store = options.deadLetters ?? createMemoryDeadLetterStore(options.retention);
  const numbering = createItemNumbering();
  const letters = createDeadLetterWriter({ store, policy: deadPolicy, logger, numbering });
  const marks = createDeliveredMarks(options.deliveryMarks, logger);
  /** Short waits for a pacing token: flushed on close, cut when the close timeout expires. */
  const pacingWaits = new CancellableWaits();
  /** Waits before a retry: cut at once by `close()` (their messages are dead-lettered). */
  const retryWaits = new CancellableWaits();
  const sendDeps = {
    registry,
    pacerOf: createChannelPacing(options.limits),
    pacingWaits,
    letters,
    retry: retryPolicy,
    random: options.random ?? Math.random,
    logger,
  };
  /** Set by `close()`: new messages and failed sends are kept as dead letters (shutdown), not queued or retried. */
  let closed = false;
  /** Set when `close()`'s timeout expired: lanes dead-letter what they still hold instead of sending it. */
  let stopped = false;
  const lanes = new ConversationLanes(deliverHead, logger);

  /** Route: a channel whose clients read their replies (web) gets nothing sent; any other queues in its lane. */
  async function dispatch(message: OutboundMessage): Promise<void> {
    try {
      if (registry.get(splitConversationId(message.conversationId).channel)?.capabilities.readsReplies) return;
      if (closed) return await letters.deadLetter(detachedItem(message, numbering.fresh()), SHUTDOWN);
      await lanes.enqueue(message, numbering.fresh());
    } catch (error) {
      logger.error({ conversationId: message.conversationId, err: error }, 'dispatch failed');
    }
  }

  /** The lane's head: kept on shutdown, dropped when superseded, else one attempt (pace → send) and its outcome. */
  async function deliverHead(lane: Lane, head: Item): Promise<void> {
    if (stopped || (closed && lane.waiting)) {
      await letters.deadLetter(head, SHUTDOWN);
      return lane.finishHead();
    }
    if (head.origin) {
      const newer = await marks.newerThan(lane.conversationId, head.order);
      if (newer !== null) {
        await letters.supersede(head, head.origin, newer);
        return lane.finishHead();
      }
    }
    const outcome = await attemptSend(head, lane, sendDeps);
    if (outcome.kind === 'delivered') {
      // Marked here before the caller resumes; the next message waits for the shared marks (one round trip).
      const recorded = marks.record(lane.conversationId, head.order);
      lane.finishHead();
      return recorded;
    }
    if (outcome.kind === 'done') return lane.finishHead();
    if (closed) {
      // Nothing would cut a new retry wait: keep the message (with its progress) for the next process.
      await letters.deadLetter(head, SHUTDOWN);
      lane.finishHead();
      return lane.hold();
    }
    lane.hold();
    await retryWaits.wait(outcome.delayMs);
    // Once closed the lane stays held: what it still queues is dead-lettered (above), not sent.
    if (!closed) lane.release();
  }

  /**
   * One send of the conversation's budget for an extra call (a typing action), only if it is free now:
   * never while a message of the chat is queued, in flight or waiting (what the budget has free is
   * theirs: a running head with replies queued behind it is not "waiting"), never by waiting.
   */
  function tryPace(conversationId: string): boolean {
    if (closed) return false;
    const { channel: name } = splitConversationId(conversationId);
    const channel = registry.get(name);
    if (!channel || lanes.chatBusy(conversationId)) return false;
    const pacer = sendDeps.pacerOf(name, channel);
    return pacer ? pacer.tryTake(conversationId, Date.now()) : true;
  }

  /** Takes due dead letters (every one with `all`) and queues them again in their lanes. */
  async function retryDeadLetters(opts: { all?: boolean } = {}): Promise<number> {
    const now = Date.now();
    let taken = 0;
    const candidates = opts.all
      ? await store.list(RETRY_BATCH)
      : await (store.due?.(now, RETRY_BATCH) ?? store.list(RETRY_BATCH));
    for (const entry of candidates) {
      const due = opts.all || (entry.nextRetryAt !== null && entry.nextRetryAt <= now);
      if (!due) continue;
      const claimed = await store.take(entry.id);
      if (!claimed) continue;
      taken += 1;
      logger.info(
        {
          conversationId: claimed.conversationId,
          deliveryId: claimed.id,
          rounds: claimed.rounds,
          partsSent: claimed.partsSent,
        },
        'retrying dead letter',
      );
      void lanes.enqueue(claimed.message, retryStart(claimed, opts.all ?? false));
    }
    return taken;
  }

  const timer =
    deadPolicy.intervalMs > 0
      ? setInterval(() => {
          retryDeadLetters().catch((error: unknown) => logger.error({ err: error }, 'dead-letter retry failed'));
        }, deadPolicy.intervalMs)
      : null;
  timer?.unref();

  /** Stops the timer, cuts retry waits, waits for the lanes; past `timeoutMs` what is still queued is dead-lettered. */
  async function close(timeoutMs = 5_000): Promise<void> {
    closed = true;
    if (timer) clearInterval(timer);
    retryWaits.cutAll();
    await within(lanes.idle(), timeoutMs);
    if (lanes.size > 0) {
      // Out of time: what is still queued is dead-lettered instead of sent; in-flight sends finish alone.
      stopped = true;
      pacingWaits.cutAll();
      await within(lanes.idle(), 250);
    }
    if (lanes.size > 0) logger.warn({ conversations: lanes.size }, 'delivery closed with messages still in flight');
  }

  return {
    dispatch,
    tryPace,
    deadLetters: (limit) => store.list(limit),
    retryDeadLetters,
    idle: () => lanes.idle(),
    close,
  };
}

/**
 * A dead letter queued again: it keeps its id, progress and dispatch order. The admin's explicit retry
 * (`all`) starts its rounds over and sends it whatever happened since; an automatic one keeps its
 * rounds and first checks for newer deliveries (`origin`).
 */
function retryStart(letter: DeadLetter, all: boolean) {
  return {
    id: letter.id,
    rounds: all ? 0 : letter.rounds,
    partsSent: letter.partsSent ?? 0,
    order: letter.dispatchOrder ?? (Date.parse(letter.failedAt) || 0) * 1000,
    ...(all ? {} : { origin: letter }),
  };
}
