import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A unique key prefix per test, so tests share the real Redis without seeing each other's keys. */
export function uniquePrefix(name = 'test'): string {
  return `omnibot-test:${name}:${randomUUID().slice(0, 8)}:`;
}

export function connectRedis(url = REDIS_URL): Redis {
  return new Redis(url, { maxRetriesPerRequest: 2, lazyConnect: false });
}

/** Deletes every key under a prefix (SCAN, not KEYS). */
export async function clearPrefix(prefix: string, url = REDIS_URL): Promise<void> {
  const redis = connectRedis(url);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
}
