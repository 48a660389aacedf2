import { once } from 'node:events';
import { Redis, type RedisOptions } from 'ioredis';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import { retry } from './retry.ts';

/**
 * The options of every Redis connection of the gateway (the bus's two, and the main one below):
 * - `commandTimeout`: a command not answered in REDIS_COMMAND_TIMEOUT_MS fails ("Command timed out",
 *   a 503 for the request) instead of waiting for a stalled Redis. A command that timed out may still
 *   run once Redis answers again: every write is idempotent or versioned (message ids, versions);
 * - `maxRetriesPerRequest`: a command queued while disconnected fails after this many reconnection
 *   attempts instead of waiting for the end of the outage.
 * The bus keeps the offline queue (a SUBSCRIBE issued during a reconnection is sent once connected).
 */
export function redisOptions(config: Config): RedisOptions {
  return {
    commandTimeout: config.redisCommandTimeoutMs,
    maxRetriesPerRequest: 3,
    enableOfflineQueue: true,
  };
}

/**
 * The main connection (store, dead letters, limits, run registry): without an offline queue, a command
 * issued while Redis is unreachable fails at once (the request answers 503 with Retry-After) instead of
 * each command of the request waiting out its timeout; requests only start once Redis answered
 * (`untilRedisAnswers`).
 */
export function openRedis(config: Config, url: string, logger: Logger): Redis {
  const redis = new Redis(url, { ...redisOptions(config), enableOfflineQueue: false, enableAutoPipelining: true });
  redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
  return redis;
}

/** Between start-up probes: 250 ms doubling up to 2 s, each plus up to 20 %. */
const STARTUP_BACKOFF = { baseMs: 250, maxMs: 2_000, jitter: 'up' } as const;

/**
 * Waits until Redis answers a PING (at start: Redis may be loading its data, restarting or paused);
 * meanwhile the server gate answers 503. Each failure is logged; there is no overall limit.
 */
export async function untilRedisAnswers(redis: Redis, logger: Logger): Promise<void> {
  let failures = 0;
  await retry(
    async () => {
      // `once` also rejects on the connection's 'error' (refused): logged, then tried again.
      if (redis.status !== 'ready') await once(redis, 'ready', { signal: AbortSignal.timeout(2_000) });
      await redis.ping();
      if (failures > 0) logger.info({ attempts: failures + 1 }, 'redis answers: starting');
    },
    {
      attempts: Number.POSITIVE_INFINITY,
      delay: STARTUP_BACKOFF,
      onRetry: (error, { attempt }) => {
        failures = attempt;
        logger.warn({ err: error, attempt }, 'waiting for redis before starting');
      },
    },
  );
}
