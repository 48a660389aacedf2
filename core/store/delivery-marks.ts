import type { RedisClient } from '../redis-connection.ts';

/**
 * Per conversation, the dispatch order of the newest message delivered (the outbound dispatcher's
 * marks): an automatic retry of an older dead letter is dropped once a newer message got through.
 * Orders are µs since the epoch, so a mark expires `ttlMs` after its message was dispatched.
 */
export interface DeliveryMarks {
  /** Records a delivery; an order lower than the one recorded changes nothing. */
  record(conversationId: string, order: number): Promise<void>;
  /** The highest order recorded for the conversation, or null (none, or expired). */
  latest(conversationId: string): Promise<number | null>;
}

export interface DeliveryMarksOptions {
  /**
   * How long a mark is kept: a dead letter retried later than that is sent without the check.
   * Automatic retries end well before (about 30 min with the dispatcher's defaults). Default 24 h.
   */
  ttlMs?: number;
  /** Expired marks are dropped at most this often, on a `record`. Default 1 min. */
  pruneEveryMs?: number;
  now?: () => number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60_000;

/** Drops expired marks at most every `pruneEveryMs`: `due()` says when, with the order cutoff. */
function pruneSchedule(options: DeliveryMarksOptions) {
  const now = options.now ?? Date.now;
  const ttlMs = options.ttlMs ?? DAY_MS;
  const every = options.pruneEveryMs ?? PRUNE_EVERY_MS;
  let prunedAt = now();
  return {
    ttlMs,
    /** The order below which marks have expired. */
    cutoff: () => (now() - ttlMs) * 1000,
    due(): boolean {
      if (now() - prunedAt < every) return false;
      prunedAt = now();
      return true;
    },
  };
}

/** This process only: the dispatcher's own marks, and the whole story without Redis. */
export function createMemoryDeliveryMarks(options: DeliveryMarksOptions = {}): DeliveryMarks {
  const marks = new Map<string, number>();
  const prune = pruneSchedule(options);
  return {
    // Not `async`: the mark is in place before the caller resumes, as the dispatcher relies on.
    record(conversationId, order) {
      if (order > (marks.get(conversationId) ?? 0)) marks.set(conversationId, order);
      if (prune.due()) {
        const cutoff = prune.cutoff();
        for (const [id, mark] of marks) if (mark < cutoff) marks.delete(id);
      }
      return Promise.resolve();
    },
    async latest(conversationId) {
      const mark = marks.get(conversationId);
      return mark !== undefined && mark >= prune.cutoff() ? mark : null;
    },
  };
}

/**
 * Shared by every process: one sorted set (`<prefix>delivery:last-delivered`, conversation → order;
 * `ZADD GT` keeps the highest, so processes agree) that expires with the marks' TTL.
 */
export function createRedisDeliveryMarks(
  redis: RedisClient,
  prefix: string,
  options: Omit<DeliveryMarksOptions, 'now'> = {},
): DeliveryMarks {
  const key = `${prefix}delivery:last-delivered`;
  const prune = pruneSchedule(options);
  return {
    async record(conversationId, order) {
      await Promise.all([
        redis.zadd(key, 'GT', order, conversationId),
        redis.pexpire(key, prune.ttlMs),
        ...(prune.due() ? [redis.zremrangebyscore(key, '-inf', `(${prune.cutoff()}`)] : []),
      ]);
    },
    async latest(conversationId) {
      const mark = await redis.zscore(key, conversationId);
      if (mark === null) return null;
      const order = Number(mark);
      return order >= prune.cutoff() ? order : null;
    },
  };
}
