import type { RedisClient } from '../redis-connection.ts';

/**
 * The conversation-token secret every process sharing this Redis uses when none is configured: the
 * first process to start keeps its generated one under `<prefix>session-secret` (SET NX, no expiry),
 * every later process and restart reads it, so tokens outlive restarts. Production requires
 * SESSION_SECRET instead (a secret kept in Redis is readable by whoever reads Redis).
 */
export async function sharedSessionSecret(redis: RedisClient, prefix: string, generated: string): Promise<string> {
  const key = `${prefix}session-secret`;
  for (let attempt = 0; attempt < 3; attempt++) {
    if ((await redis.set(key, generated, 'NX')) === 'OK') return generated;
    const kept = await redis.get(key);
    if (kept) return kept;
  }
  throw new Error(`could not read or keep the shared session secret at ${key}`);
}
