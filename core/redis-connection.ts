import { once } from 'node:events';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Config, RedisClusterSecurity, RedisNode } from './config.ts';
import type { Logger } from './log.ts';
import { retry } from './retry.ts';

/** A connection to one Redis, or ioredis' client of a Redis Cluster (REDIS_CLUSTER_NODES). */
export type RedisClient = Redis | Cluster;

/**
 * Where Redis is: one server (REDIS_URL, its credentials and TLS in the URL) or a Redis Cluster's
 * seed nodes (REDIS_CLUSTER_NODES) and how each node connection logs in and encrypts.
 */
export type RedisTarget = { url: string } | { nodes: readonly RedisNode[]; security?: RedisClusterSecurity };

/** The configured Redis, or undefined without one (the in-memory store). */
export function redisTarget(
  config: Pick<Config, 'redisUrl' | 'redisClusterNodes' | 'redisClusterSecurity'>,
): RedisTarget | undefined {
  if (config.redisClusterNodes.length > 0) {
    return { nodes: config.redisClusterNodes, security: config.redisClusterSecurity };
  }
  return config.redisUrl ? { url: config.redisUrl } : undefined;
}

/** The options every connection to a cluster node adds: AUTH (user, password) and TLS. */
export function clusterNodeOptions(security: RedisClusterSecurity = {}): RedisOptions {
  const { username, password, tls } = security;
  return {
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(tls ? { tls: tls.ca ? { ca: tls.ca } : {} } : {}),
  };
}

/**
 * No connection of the gateway auto-pipelines. ioredis then keeps one pipeline in flight per connection
 * (per node on a cluster): a command issued meanwhile waits for all of that pipeline's replies, a turn's
 * commit behind another turn's. Measured (Redis gateway, 1,000 msg/s paced): p99 34–37 ms with it, 8–11
 * ms without; on a 3-master cluster 43–44 ms against 7–9 ms, and 2,195–2,233 against 2,701–2,844 req/s
 * at saturation. Commands issued together still travel together: they are written one after the other
 * and share the round trip.
 */
export const AUTO_PIPELINING = false;

/** Whether the client is a Redis Cluster's (its keys use the cluster layouts: core/redis-keys.ts). */
export const isCluster = (client: RedisClient): client is Cluster => client instanceof Cluster;

/**
 * The options of every Redis connection of the gateway (the bus's two, and the main one below):
 * - `commandTimeout`: a command not answered in REDIS_COMMAND_TIMEOUT_MS fails ("Command timed out",
 *   a 503 for the request) instead of waiting for a stalled Redis. A command that timed out may still
 *   run once Redis answers again: every write is idempotent or versioned (message ids, versions);
 * - `maxRetriesPerRequest`: a command queued while disconnected fails after this many reconnection
 *   attempts instead of waiting for the end of the outage.
 * The bus keeps the offline queue (a SUBSCRIBE issued during a reconnection is sent once connected).
 */
export function redisOptions(config: Pick<Config, 'redisCommandTimeoutMs'>): RedisOptions {
  return {
    commandTimeout: config.redisCommandTimeoutMs,
    maxRetriesPerRequest: 3,
    enableOfflineQueue: true,
  };
}

/** ioredis' default wait before reconnection attempt `times` (50 ms more each time, at most 2 s). */
const reconnectDelay = (times: number) => Math.min(times * 50, 2_000);

/**
 * The main connection (store, dead letters, limits, run registry): without an offline queue, a command
 * issued while Redis is unreachable fails at once (the request answers 503 with Retry-After) instead of
 * each command of the request waiting out its timeout; requests only start once Redis answered
 * (`untilRedisAnswers`). With cluster nodes: ioredis' Cluster client (it follows the slots itself; the
 * per-node connections keep the command timeout and bounded retries).
 */
export function openRedis(
  config: Pick<Config, 'redisCommandTimeoutMs'>,
  target: RedisTarget,
  logger: Logger,
): RedisClient {
  if ('nodes' in target) {
    const cluster = new Cluster(
      target.nodes.map(({ host, port }) => ({ host, port })),
      {
        enableOfflineQueue: false,
        enableAutoPipelining: AUTO_PIPELINING,
        redisOptions: {
          commandTimeout: config.redisCommandTimeoutMs,
          maxRetriesPerRequest: 3,
          ...clusterNodeOptions(target.security),
        },
        slotsRefreshTimeout: 2_000,
        // Paced as a single connection's reconnections (ioredis' cluster default retries ~10 times a second).
        clusterRetryStrategy: reconnectDelay,
      },
    );
    cluster.on('error', (error) => logger.warn({ err: error }, 'redis cluster error'));
    cluster.on('node error', (error, node: string) => logger.warn({ err: error, node }, 'redis cluster node error'));
    return cluster;
  }
  const redis = new Redis(target.url, {
    ...redisOptions(config),
    enableOfflineQueue: false,
    enableAutoPipelining: AUTO_PIPELINING,
  });
  redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
  return redis;
}

/** Between start-up probes: 250 ms doubling up to 2 s, each plus up to 20 %. */
const STARTUP_BACKOFF = { baseMs: 250, maxMs: 2_000, jitter: 'up' } as const;

/**
 * Waits until Redis answers a PING (at start: Redis may be loading its data, restarting or paused);
 * meanwhile the server gate answers 503. On a cluster every master must answer (a master down means
 * a third of the keys unreachable). Each failure is logged; no overall limit unless `attempts`.
 */
export async function untilRedisAnswers(
  redis: RedisClient,
  logger: Logger,
  attempts = Number.POSITIVE_INFINITY,
): Promise<void> {
  let failures = 0;
  await retry(
    async () => {
      // `once` also rejects on the connection's 'error' (refused): logged, then tried again.
      if (redis.status !== 'ready') await once(redis, 'ready', { signal: AbortSignal.timeout(2_000) });
      await pingAll(redis);
      if (failures > 0) logger.info({ attempts: failures + 1 }, 'redis answers: starting');
    },
    {
      attempts,
      delay: STARTUP_BACKOFF,
      onRetry: (error, { attempt }) => {
        failures = attempt;
        logger.warn({ err: error, attempt }, 'waiting for redis before starting');
      },
    },
  );
}

/** PING, on a cluster to every master it knows (rejects when one of them does not answer). */
export async function pingAll(redis: RedisClient): Promise<void> {
  if (!isCluster(redis)) {
    await redis.ping();
    return;
  }
  const masters = redis.nodes('master');
  if (masters.length === 0) throw new Error('the Redis Cluster has no known master');
  await Promise.all(masters.map((node) => node.ping()));
}

/**
 * One connection to a cluster's first seed node; each reconnection attempt goes to the next seed
 * (ioredis reads `options.host/port` again when it reconnects), so a node that died is left.
 */
export function seedRotatingConnection(nodes: readonly RedisNode[], options: RedisOptions): Redis {
  const [first] = nodes;
  if (!first) throw new Error('a cluster bus needs at least one seed node');
  let seed = 0;
  const connection: Redis = new Redis({
    ...options,
    host: first.host,
    port: first.port,
    retryStrategy: (times) => {
      seed = (seed + 1) % nodes.length;
      const next = nodes[seed] ?? first;
      connection.options.host = next.host;
      connection.options.port = next.port;
      return reconnectDelay(times);
    },
  });
  return connection;
}
