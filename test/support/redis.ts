import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

/** The tests' Redis when TEST_REDIS_URL is not set: the local server, database 15 (not the usual 0). */
export const DEFAULT_TEST_REDIS_URL = 'redis://127.0.0.1:6379/15';

/**
 * global-setup.ts points REDIS_URL at the test database for the whole run (so code falling back on
 * `process.env.REDIS_URL` reads the test database too) and keeps the developer's own value here.
 */
export const DEVELOPER_REDIS_URL_ENV = 'OMNIBOT_DEVELOPER_REDIS_URL';

type Env = Record<string, string | undefined>;

/** `host:port/db` of a redis:// URL with its defaults spelled out (and no password), to compare two URLs. */
export function redisDatabase(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
  const host = loopback ? 'localhost' : parsed.hostname.toLowerCase();
  const db = Number(parsed.pathname.slice(1) || parsed.searchParams.get('db') || 0);
  return `${host}:${parsed.port || '6379'}/${db}`;
}

/** The developer's REDIS_URL as it was before the test run (empty when none was set). */
export function developersRedisUrl(env: Env = process.env): string {
  return env[DEVELOPER_REDIS_URL_ENV] ?? env.REDIS_URL ?? '';
}

/** Throws when `url` is the database the developer's REDIS_URL points at: tests write and delete keys. */
export function refuseDevelopersDatabase(url: string, env: Env = process.env): void {
  const developers = developersRedisUrl(env);
  if (!developers || redisDatabase(developers) !== redisDatabase(url)) return;
  throw new Error(
    `Refusing to run tests against ${redisDatabase(url)}: it is the database your REDIS_URL points at, ` +
      `and the tests write and delete keys there. Set TEST_REDIS_URL to another database ` +
      `(e.g. redis://127.0.0.1:6379/15) or another server.`,
  );
}

/** TEST_REDIS_URL (default DEFAULT_TEST_REDIS_URL), never the developer's own database. */
export function testRedisUrl(env: Env = process.env): string {
  const url = env.TEST_REDIS_URL || DEFAULT_TEST_REDIS_URL;
  refuseDevelopersDatabase(url, env);
  return url;
}

/** The Redis every test uses (fails at import, so the whole run stops at once, when it is the developer's). */
export const REDIS_URL = testRedisUrl();

/** A unique key prefix per test, so tests share the real Redis without seeing each other's keys. */
export function uniquePrefix(name = 'test'): string {
  return `omnibot-test:${name}:${randomUUID().slice(0, 8)}:`;
}

export function connectRedis(url = REDIS_URL): Redis {
  refuseDevelopersDatabase(url);
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
