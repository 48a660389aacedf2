import type { DeadLetter, DeadLetterRetention, DeadLetterStore } from './types.ts';

/** The slice of ioredis the dead-letter store uses. */
export interface DeadLetterRedis {
  hset(key: string, field: string, value: string): Promise<number>;
  hget(key: string, field: string): Promise<string | null>;
  hmget(key: string, ...fields: string[]): Promise<(string | null)[]>;
  hdel(key: string, ...fields: string[]): Promise<number>;
  hvals(key: string): Promise<string[]>;
  hlen(key: string): Promise<number>;
  zadd(key: string, score: number, member: string): Promise<number | string>;
  zrem(key: string, ...members: string[]): Promise<number>;
  zcard(key: string): Promise<number>;
  zrange(key: string, start: number, stop: number): Promise<string[]>;
  zrangebyscore(
    key: string,
    min: number | string,
    max: number | string,
    limit: 'LIMIT',
    offset: number,
    count: number,
  ): Promise<string[]>;
  zrangebyscore(key: string, min: number | string, max: number | string): Promise<string[]>;
}

export const DEFAULT_RETENTION: DeadLetterRetention = { maxEntries: 1_000, parkedTtlMs: 7 * 24 * 60 * 60 * 1000 };

type Aged = Pick<DeadLetter, 'id' | 'failedAt'>;
const byAge = (a: Aged, b: Aged) => a.failedAt.localeCompare(b.failedAt) || a.id.localeCompare(b.id);
const ageOf = (entry: Aged) => Date.parse(entry.failedAt) || 0;

/** A kept dead letter: JSON, as Redis keeps it (no caller changes it), and what pruning and `due` read. */
interface KeptLetter {
  id: string;
  failedAt: string;
  nextRetryAt: number | null;
  json: string;
}

/** In-process dead letters (the embedded mode): inspectable and retried, lost on exit. */
export function createMemoryDeadLetterStore(retention: Partial<DeadLetterRetention> = {}): DeadLetterStore {
  const { maxEntries, parkedTtlMs } = { ...DEFAULT_RETENTION, ...retention };
  const entries = new Map<string, KeptLetter>();
  const read = (kept: KeptLetter) => JSON.parse(kept.json) as DeadLetter;
  const prune = () => {
    const cutoff = Date.now() - parkedTtlMs;
    for (const [id, kept] of entries) if (kept.nextRetryAt === null && ageOf(kept) < cutoff) entries.delete(id);
    if (entries.size <= maxEntries) return;
    const oldest = [...entries.values()].sort(byAge).slice(0, entries.size - maxEntries);
    for (const kept of oldest) entries.delete(kept.id);
  };
  return {
    async add(entry) {
      const { id, failedAt, nextRetryAt } = entry;
      entries.set(id, { id, failedAt, nextRetryAt, json: JSON.stringify(entry) });
      prune();
    },
    async list(limit = 100) {
      return [...entries.values()].sort(byAge).slice(0, limit).map(read);
    },
    async due(now, limit) {
      return [...entries.values()]
        .filter((e) => e.nextRetryAt !== null && e.nextRetryAt <= now)
        .sort((a, b) => a.nextRetryAt! - b.nextRetryAt!)
        .slice(0, limit)
        .map(read);
    },
    async take(id) {
      const kept = entries.get(id);
      if (!kept) return null;
      entries.delete(id);
      return read(kept);
    },
    async size() {
      return entries.size;
    },
  };
}

/**
 * Dead letters in one Redis hash (`<prefix>delivery:dead-letters`, id → JSON), shared by every process,
 * indexed by two sorted sets: `…:by-age` (failedAt, for listing and the cap) and `…:due` (nextRetryAt,
 * so the retry timer reads only what is due). The newest `maxEntries` are kept; entries without an
 * automatic retry are dropped after `parkedTtlMs`.
 */
export function createRedisDeadLetterStore(
  redis: DeadLetterRedis,
  keyPrefix: string,
  retention: Partial<DeadLetterRetention> = {},
): DeadLetterStore {
  const { maxEntries, parkedTtlMs } = { ...DEFAULT_RETENTION, ...retention };
  const key = `${keyPrefix}delivery:dead-letters`;
  const byAgeKey = `${key}:by-age`;
  const dueKey = `${key}:due`;

  const parse = (values: (string | null)[]): DeadLetter[] => {
    const entries: DeadLetter[] = [];
    for (const value of values) {
      if (value === null) continue;
      try {
        entries.push(JSON.parse(value) as DeadLetter);
      } catch {
        // A corrupt entry is skipped here; it stays in Redis for a human to look at.
      }
    }
    return entries;
  };
  const read = async (ids: string[]) => (ids.length === 0 ? [] : parse(await redis.hmget(key, ...ids)));
  const remove = async (ids: string[]) => {
    if (ids.length === 0) return;
    await redis.hdel(key, ...ids);
    await redis.zrem(byAgeKey, ...ids);
    await redis.zrem(dueKey, ...ids);
  };
  const index = async (entry: DeadLetter) => {
    await redis.zadd(byAgeKey, ageOf(entry), entry.id);
    if (entry.nextRetryAt !== null) await redis.zadd(dueKey, entry.nextRetryAt, entry.id);
  };

  // Entries written before the indexes existed are indexed once per process.
  let indexed: Promise<void> | null = null;
  const ensureIndexed = () => {
    indexed ??= (async () => {
      if ((await redis.hlen(key)) === (await redis.zcard(byAgeKey))) return;
      for (const entry of parse(await redis.hvals(key))) await index(entry);
    })().catch((error: unknown) => {
      indexed = null;
      throw error;
    });
    return indexed;
  };

  const prune = async () => {
    const old = await redis.zrangebyscore(byAgeKey, '-inf', Date.now() - parkedTtlMs);
    if (old.length > 0) {
      const parked = (await read(old)).filter((e) => e.nextRetryAt === null).map((e) => e.id);
      await remove(parked);
    }
    const excess = (await redis.zcard(byAgeKey)) - maxEntries;
    if (excess > 0) await remove(await redis.zrange(byAgeKey, 0, excess - 1));
  };

  return {
    async add(entry) {
      await ensureIndexed();
      await redis.hset(key, entry.id, JSON.stringify(entry));
      await index(entry);
      await prune();
    },
    async list(limit = 100) {
      await ensureIndexed();
      if (limit <= 0) return [];
      return (await read(await redis.zrange(byAgeKey, 0, limit - 1))).sort(byAge);
    },
    async due(now, limit) {
      await ensureIndexed();
      return read(await redis.zrangebyscore(dueKey, '-inf', now, 'LIMIT', 0, limit));
    },
    async take(id) {
      const value = await redis.hget(key, id);
      if (value === null) return null;
      // HDEL answers 1 to exactly one caller: that process owns the retry.
      if ((await redis.hdel(key, id)) !== 1) return null;
      await redis.zrem(byAgeKey, id);
      await redis.zrem(dueKey, id);
      return JSON.parse(value) as DeadLetter;
    },
    async size() {
      return redis.hlen(key);
    },
  };
}
