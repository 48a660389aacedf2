import { randomUUID } from 'node:crypto';
import { deadLetters, deliveries } from '../metrics/registry.ts';
import type { OutboundMessage } from '../types.ts';
import { splitConversationId } from '../types.ts';
import { backoffDelay, classifyFailure, describeFailure } from './classify.ts';
import { createMemoryDeadLetterStore, createRedisDeadLetterStore } from './dead-letter.ts';
import { ChannelPacer, DEFAULT_LIMITS } from './rate-limit.ts';
import type {
  DeadLetter,
  DeadLetterPolicy,
  DeadLetterStore,
  LateFailure,
  OutboundDispatcher,
  OutboundDispatcherOptions,
  RetryPolicy,
  SendOptions,
} from './types.ts';

/** `ChannelPlugin.send` with its options (core/plugin.ts); a plugin may ignore them. */

const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };
const DEFAULT_DEAD_LETTER: DeadLetterPolicy = { intervalMs: 60_000, firstRetryDelayMs: 60_000, maxRounds: 5 };
/**
 * How long a conversation's last-delivered mark is kept (memory and Redis): a dead letter retried later
 * than that is sent without the check. Automatic retries end well before (about 30 min with the defaults).
 */
const LAST_DELIVERED_TTL_MS = 24 * 60 * 60 * 1000;
const PRUNE_MARKS_EVERY_MS = 60_000;

interface Item {
  id: string;
  message: OutboundMessage;
  attempts: number;
  /** Rounds already spent in the dead-letter list (a retried dead letter keeps its count). */
  rounds: number;
  /** Parts of a split message already delivered (kept in the dead letter, so a retry resumes). */
  partsSent: number;
  /** Dispatch order (`DeadLetter.dispatchOrder`): kept across dead-letter rounds. */
  order: number;
  /** The dead letter this item retries automatically: dropped (kept as `superseded`) once a newer message was delivered. */
  origin?: DeadLetter;
  settle: () => void;
}

/** One conversation's queue: sent strictly in order, one at a time. */
interface Lane {
  items: Item[];
  running: boolean;
  /** The head waits for a retry: later messages are queued, their `dispatch` resolves at once. */
  waiting: boolean;
}

type Outcome = { kind: 'delivered' } | { kind: 'done' } | { kind: 'retry'; delayMs: number };

/** Outbound delivery for every channel: routing, pacing, ordered retries and a dead-letter list. */
export function createOutboundDispatcher(options: OutboundDispatcherOptions): OutboundDispatcher {
  const { registry } = options;
  const logger = options.logger.child({ component: 'delivery' });
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const deadPolicy: DeadLetterPolicy = { ...DEFAULT_DEAD_LETTER, ...options.deadLetter };
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const random = options.random ?? Math.random;
  const { redis } = options;
  const keyPrefix = options.keyPrefix ?? 'omnibot:';
  const store: DeadLetterStore =
    options.deadLetters ??
    (redis
      ? createRedisDeadLetterStore(redis, keyPrefix, options.retention)
      : createMemoryDeadLetterStore(options.retention));

  const lanes = new Map<string, Lane>();
  const pacers = new Map<string, ChannelPacer>();
  const retryWaits = new Set<() => void>();
  let idleWaiters: (() => void)[] = [];
  let closed = false;
  /** Set when `close()`'s timeout expired: lanes dead-letter what they still hold instead of sending it. */
  let stopped = false;

  let lastOrder = 0;
  /** Dispatch order: µs since the epoch, strictly increasing here, comparable across processes (to their clocks' skew). */
  const nextOrder = () => {
    lastOrder = Math.max(Date.now() * 1000, lastOrder + 1);
    return lastOrder;
  };

  /**
   * Per conversation, the highest dispatch order delivered: in memory, and with Redis in one sorted set
   * (conversation → order; `ZADD GT` keeps the highest, so processes agree) expiring with the marks' TTL.
   */
  const lastDelivered = new Map<string, number>();
  const marksKey = `${keyPrefix}delivery:last-delivered`;
  let marksPrunedAt = Date.now();

  /** Records a delivery: memory at once; the returned promise settles once Redis has it (never rejects). */
  function recordDelivered(conversationId: string, order: number): Promise<void> {
    if (order > (lastDelivered.get(conversationId) ?? 0)) lastDelivered.set(conversationId, order);
    const now = Date.now();
    const cutoff = (now - LAST_DELIVERED_TTL_MS) * 1000;
    const prune = now - marksPrunedAt >= PRUNE_MARKS_EVERY_MS;
    if (prune) {
      marksPrunedAt = now;
      for (const [id, delivered] of lastDelivered) if (delivered < cutoff) lastDelivered.delete(id);
    }
    if (!redis) return Promise.resolve();
    return (async () => {
      await Promise.all([
        redis.zadd(marksKey, 'GT', order, conversationId),
        redis.pexpire(marksKey, LAST_DELIVERED_TTL_MS),
        ...(prune ? [redis.zremrangebyscore(marksKey, '-inf', cutoff)] : []),
      ]);
    })().catch((error: unknown) => {
      logger.warn({ conversationId, error }, 'last delivery not recorded in Redis');
    });
  }

  /** The order of a newer message delivered in the conversation, or null (also when Redis cannot tell). */
  async function newerDelivered(conversationId: string, order: number): Promise<number | null> {
    const local = lastDelivered.get(conversationId);
    if (local !== undefined && local > order) return local;
    if (!redis) return null;
    try {
      const shared = Number((await redis.zscore(marksKey, conversationId)) ?? Number.NaN);
      return shared > order ? shared : null;
    } catch (error) {
      logger.warn({ conversationId, error }, 'last delivery not readable from Redis: retrying the dead letter');
      return null;
    }
  }

  let sequence = 0;
  /** Sortable delivery ids: dead letters failing in the same millisecond list in dispatch order. */
  const nextId = () =>
    `${Date.now().toString(36).padStart(9, '0')}-${(sequence++ % 1_679_616).toString(36).padStart(4, '0')}-${randomUUID().slice(0, 8)}`;

  /** A wait that can be cut short: it registers its `done` in `waits` until it ends. */
  const waitIn = (waits: Set<() => void>) => (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waits.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waits.add(done);
    });
  /** A pacing wait: short, flushed on close, cut when the close timeout expires. */
  const pacingWaits = new Set<() => void>();
  const sleep = waitIn(pacingWaits);
  /** A retry wait that `close()` can cut short. */
  const retryWait = waitIn(retryWaits);

  const pacerOf = (channel: string): ChannelPacer | null => {
    const channelLimits = Object.hasOwn(limits, channel) ? limits[channel] : undefined;
    if (!channelLimits) return null;
    let pacer = pacers.get(channel);
    if (!pacer) {
      pacer = new ChannelPacer(channelLimits, Date.now());
      pacers.set(channel, pacer);
    }
    return pacer;
  };

  async function deadLetter(
    item: Item,
    failure: Omit<
      DeadLetter,
      'id' | 'channel' | 'conversationId' | 'message' | 'attempts' | 'rounds' | 'failedAt' | 'nextRetryAt'
    >,
  ): Promise<void> {
    const rounds = item.rounds + 1;
    const automatic = failure.retryable && rounds < deadPolicy.maxRounds;
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
      nextRetryAt: automatic ? Date.now() + deadPolicy.firstRetryDelayMs * 2 ** (rounds - 1) : null,
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

  async function keep(entry: DeadLetter): Promise<void> {
    try {
      await store.add(entry);
    } catch (error) {
      // Last resort: the whole message goes to the log so that it can still be recovered by hand.
      logger.error({ conversationId: entry.conversationId, error, deadLetter: entry }, 'dead-letter store failed');
    }
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

  /** The lane's messages are queued behind a wait: their `dispatch` calls resolve now. */
  function hold(lane: Lane): void {
    lane.waiting = true;
    for (const item of lane.items) item.settle();
  }

  async function attempt(item: Item, lane: Lane): Promise<Outcome> {
    const { conversationId } = item.message;
    const { channel } = splitConversationId(conversationId);
    const plugin = registry.get(channel);
    if (!plugin) {
      await deadLetter(item, { code: 'no_plugin', reason: `no channel plugin "${channel}"`, retryable: false });
      return { kind: 'done' };
    }
    const pacer = pacerOf(channel);
    const pace = async () => {
      const wait = pacer?.reserve(conversationId, Date.now()) ?? 0;
      if (wait > 0) {
        // Pacing waits are short: on close they are flushed, not dead-lettered.
        hold(lane);
        await sleep(wait);
        lane.waiting = false;
      }
    };
    await pace();
    item.attempts += 1;
    const options: SendOptions = {
      fromPart: item.partsSent,
      onPartSent: (partsSent) => {
        item.partsSent = partsSent;
      },
      // One pacing token per API call: the first was reserved above.
      beforePart: pace,
      deadLetter: (failure) => lateDeadLetter(item.message, item.order, failure),
    };
    try {
      await plugin.send(item.message, options);
      deliveries.inc({ channel, outcome: 'delivered' });
      logger.debug({ conversationId, deliveryId: item.id, attempts: item.attempts }, 'outbound message delivered');
      return { kind: 'delivered' };
    } catch (error) {
      deliveries.inc({ channel, outcome: 'failed' });
      const failure = classifyFailure(error);
      const described = describeFailure(error);
      if (failure.kind === 'permanent') {
        await deadLetter(item, { ...described, retryable: false });
        return { kind: 'done' };
      }
      if (item.attempts >= retry.maxAttempts) {
        await deadLetter(item, { ...described, retryable: true });
        return { kind: 'done' };
      }
      const delayMs =
        failure.kind === 'rate_limited'
          ? failure.retryAfterMs
          : backoffDelay(item.attempts, retry.baseDelayMs, retry.maxDelayMs, random);
      logger.warn(
        { conversationId, deliveryId: item.id, attempts: item.attempts, delayMs, ...described },
        failure.kind === 'rate_limited' ? 'channel rate limit: retrying after its delay' : 'send failed: retrying',
      );
      return { kind: 'retry', delayMs };
    }
  }

  /** A failure the platform reported after accepting the message (e.g. a WhatsApp `failed` status). */
  async function lateDeadLetter(message: OutboundMessage, order: number, failure: LateFailure): Promise<void> {
    const { partsSent, ...described } = failure;
    const item: Item = { id: nextId(), message, attempts: 1, rounds: 0, partsSent, order, settle: () => {} };
    await deadLetter(item, described);
  }

  const shutdown = { code: 'shutdown', reason: 'dispatcher closed before delivery', retryable: true } as const;

  async function run(conversationId: string, lane: Lane): Promise<void> {
    lane.running = true;
    try {
      while (lane.items.length > 0) {
        const head = lane.items[0]!;
        if (stopped || (closed && lane.waiting)) {
          await deadLetter(head, shutdown);
          lane.items.shift();
          head.settle();
          continue;
        }
        if (head.origin) {
          const newer = await newerDelivered(conversationId, head.order);
          if (newer !== null) {
            await supersede(head, head.origin, newer);
            lane.items.shift();
            head.settle();
            continue;
          }
        }
        const outcome = await attempt(head, lane);
        if (outcome.kind === 'delivered') {
          // Memory is marked before the caller resumes; the next message waits for Redis (one round trip).
          const recorded = recordDelivered(conversationId, head.order);
          lane.items.shift();
          head.settle();
          await recorded;
          continue;
        }
        if (outcome.kind === 'done') {
          lane.items.shift();
          head.settle();
          continue;
        }
        if (closed) {
          // Nothing would cut a new retry wait: keep the message (with its progress) for the next process.
          await deadLetter(head, shutdown);
          lane.items.shift();
          head.settle();
          hold(lane);
          continue;
        }
        hold(lane);
        await retryWait(outcome.delayMs);
        if (!closed) lane.waiting = false;
      }
    } catch (error) {
      logger.error({ conversationId, error }, 'delivery lane failed');
      for (const item of lane.items) item.settle();
      lane.items = [];
    } finally {
      lane.running = false;
      lanes.delete(conversationId);
      if (lanes.size === 0) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const resolve of waiters) resolve();
      }
    }
  }

  function enqueue(
    message: OutboundMessage,
    from: Pick<Item, 'id' | 'rounds' | 'partsSent' | 'order' | 'origin'>,
  ): Promise<void> {
    return new Promise<void>((resolve) => {
      let settled = false;
      const item: Item = {
        ...from,
        message,
        attempts: 0,
        settle: () => {
          if (!settled) resolve();
          settled = true;
        },
      };
      const { conversationId } = message;
      let lane = lanes.get(conversationId);
      if (!lane) {
        lane = { items: [], running: false, waiting: false };
        lanes.set(conversationId, lane);
      }
      lane.items.push(item);
      if (lane.waiting) item.settle();
      if (!lane.running) void run(conversationId, lane);
    });
  }

  async function retryDeadLetters(opts: { all?: boolean } = {}): Promise<number> {
    const now = Date.now();
    let taken = 0;
    const candidates = opts.all ? await store.list(1000) : await (store.due?.(now, 1000) ?? store.list(1000));
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
      void enqueue(claimed.message, {
        id: claimed.id,
        rounds: opts.all ? 0 : claimed.rounds,
        partsSent: claimed.partsSent ?? 0,
        order: claimed.dispatchOrder ?? (Date.parse(claimed.failedAt) || 0) * 1000,
        // The admin's explicit retry sends everything; an automatic one first checks for newer deliveries.
        ...(opts.all ? {} : { origin: claimed }),
      });
    }
    return taken;
  }

  const timer =
    deadPolicy.intervalMs > 0
      ? setInterval(() => {
          retryDeadLetters().catch((error) => logger.error({ error }, 'dead-letter retry failed'));
        }, deadPolicy.intervalMs)
      : null;
  timer?.unref();

  const idle = () => (lanes.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve)));

  return {
    async dispatch(message) {
      try {
        // Web clients read their replies from the transcript and subscriptions: nothing to send.
        if (registry.get(splitConversationId(message.conversationId).channel)?.capabilities.readsReplies) return;
        if (closed) {
          const item: Item = {
            id: nextId(),
            message,
            attempts: 0,
            rounds: 0,
            partsSent: 0,
            order: nextOrder(),
            settle: () => {},
          };
          await deadLetter(item, shutdown);
          return;
        }
        await enqueue(message, { id: nextId(), rounds: 0, partsSent: 0, order: nextOrder() });
      } catch (error) {
        logger.error({ conversationId: message.conversationId, error }, 'dispatch failed');
      }
    },
    deadLetters: (limit) => store.list(limit),
    retryDeadLetters,
    idle,
    async close(timeoutMs = 5_000) {
      closed = true;
      if (timer) clearInterval(timer);
      for (const cut of [...retryWaits]) cut();
      let expired: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        expired = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([idle(), timeout]);
      clearTimeout(expired);
      if (lanes.size > 0) {
        // Out of time: what is still queued is dead-lettered instead of sent; in-flight sends finish alone.
        stopped = true;
        for (const cut of [...pacingWaits]) cut();
        let grace: NodeJS.Timeout | undefined;
        await Promise.race([idle(), new Promise<void>((resolve) => (grace = setTimeout(resolve, 250).unref()))]);
        clearTimeout(grace);
      }
      if (lanes.size > 0) logger.warn({ conversations: lanes.size }, 'delivery closed with messages still in flight');
    },
  };
}
