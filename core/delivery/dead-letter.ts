import type { DeadLetter, DeadLetterStore, RedisLike } from './types.ts';

const byAge = (a: DeadLetter, b: DeadLetter) => a.failedAt.localeCompare(b.failedAt) || a.id.localeCompare(b.id);

/** In-process dead letters (the embedded mode): inspectable and retried, lost on exit. */
export function createMemoryDeadLetterStore(): DeadLetterStore {
  const entries = new Map<string, DeadLetter>();
  return {
    async add(entry) {
      entries.set(entry.id, structuredClone(entry));
    },
    async list(limit = 100) {
      return [...entries.values()]
        .sort(byAge)
        .slice(0, limit)
        .map((e) => structuredClone(e));
    },
    async take(id) {
      const entry = entries.get(id);
      if (!entry) return null;
      entries.delete(id);
      return entry;
    },
    async size() {
      return entries.size;
    },
  };
}

/** Dead letters in one Redis hash (`<prefix>delivery:dead-letters`, id → JSON), shared by every process. */
export function createRedisDeadLetterStore(redis: RedisLike, keyPrefix: string): DeadLetterStore {
  const key = `${keyPrefix}delivery:dead-letters`;
  return {
    async add(entry) {
      await redis.hset(key, entry.id, JSON.stringify(entry));
    },
    async list(limit = 100) {
      const values = await redis.hvals(key);
      const entries: DeadLetter[] = [];
      for (const value of values) {
        try {
          entries.push(JSON.parse(value) as DeadLetter);
        } catch {
          // A corrupt entry is skipped here; it stays in Redis for a human to look at.
        }
      }
      return entries.sort(byAge).slice(0, limit);
    },
    async take(id) {
      const value = await redis.hget(key, id);
      if (value === null) return null;
      // HDEL answers 1 to exactly one caller: that process owns the retry.
      if ((await redis.hdel(key, id)) !== 1) return null;
      return JSON.parse(value) as DeadLetter;
    },
    async size() {
      return redis.hlen(key);
    },
  };
}
