import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { type RedisNode, redisClusterNodes } from '../../core/config.ts';
import { REDIS_CLUSTER_SECURITY_VARIABLES, redisClusterSecurity } from '../../core/redis-cluster-config.ts';
import { clusterNodeOptions } from '../../core/redis-connection.ts';
import { scanKeys } from '../../core/redis-scan.ts';

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

/**
 * The cluster tier's Redis Cluster (REDIS_CLUSTER_NODES, test/cluster/global-setup.ts): only when
 * REDIS_URL is unset, as that tier leaves it; `npm test`'s global setup always sets REDIS_URL.
 */
export function testClusterNodes(env: Env = process.env): RedisNode[] {
  return env.REDIS_URL ? [] : redisClusterNodes(env);
}

/** The cluster tier's AUTH and TLS variables (scripts/redis-cluster/test.sh sets them), as they are set. */
export function testClusterSecurityEnv(env: Env = process.env): Record<string, string> {
  const set = REDIS_CLUSTER_SECURITY_VARIABLES.flatMap((name) => (env[name] ? [[name, env[name]]] : []));
  return Object.fromEntries(set);
}

/** How a connection to one of the tier's nodes logs in and encrypts, as the gateway's do. */
export const testClusterNodeOptions = (): RedisOptions =>
  clusterNodeOptions(redisClusterSecurity(testClusterSecurityEnv(), true));

/** The Cluster client of the cluster tier (commands wait in the offline queue until it is ready). */
export function connectCluster(nodes: readonly RedisNode[] = testClusterNodes()): Cluster {
  if (nodes.length === 0) throw new Error('REDIS_CLUSTER_NODES is not set (the cluster tier sets it)');
  return new Cluster(
    nodes.map(({ host, port }) => ({ host, port })),
    { redisOptions: { maxRetriesPerRequest: 2, ...testClusterNodeOptions() } },
  );
}

/** connectCluster, once it knows the slots (the masters are listed only then). */
export async function readyCluster(nodes?: readonly RedisNode[]): Promise<Cluster> {
  const cluster = connectCluster(nodes);
  try {
    await once(cluster, 'ready', { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    cluster.disconnect();
    throw error;
  }
  return cluster;
}

/** The tests' Redis: the cluster tier's Cluster when it runs, else the standalone test database. */
export function connectTestRedis(): Redis | Cluster {
  return testClusterNodes().length > 0 ? connectCluster() : connectRedis();
}

/**
 * Deletes every key under a prefix (SCAN, not KEYS). In the cluster tier (no `url` given) every
 * master is scanned and each key unlinked on its own: a multi-key DEL across slots fails there.
 */
export async function clearPrefix(prefix: string, url?: string): Promise<void> {
  if (url === undefined && testClusterNodes().length > 0) {
    const cluster = await readyCluster();
    try {
      for await (const keys of scanKeys(cluster, `${prefix}*`, 500)) {
        await Promise.all(keys.map((key) => cluster.unlink(key)));
      }
    } finally {
      await cluster.quit();
    }
    return;
  }
  const redis = connectRedis(url);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
}
