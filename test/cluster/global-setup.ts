import { Redis } from 'ioredis';
import { redisClusterNodes } from '../../core/config.ts';
import { DEVELOPER_REDIS_URL_ENV, testClusterNodeOptions } from '../support/redis.ts';

/**
 * The cluster tier runs only against a healthy Redis Cluster (REDIS_CLUSTER_NODES, started by
 * scripts/redis-cluster/test.sh): it fails at once without it, or when a node does not report
 * cluster_state:ok. REDIS_URL is removed from the env for the run, so nothing falls back on a
 * standalone Redis (test/support/redis.ts picks the cluster when REDIS_URL is unset).
 */
async function clusterInfo(host: string, port: number): Promise<string> {
  const node = new Redis({
    host,
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    ...testClusterNodeOptions(),
  });
  node.on('error', () => {}); // a refused connection is reported below
  try {
    await node.connect();
    return String(await node.call('CLUSTER', 'INFO'));
  } catch (error) {
    return `unreachable: ${(error as Error).message}`;
  } finally {
    node.disconnect();
  }
}

export default async function setup() {
  const nodes = redisClusterNodes(process.env);
  if (nodes.length === 0) {
    throw new Error(
      'REDIS_CLUSTER_NODES is not set: run the tier with scripts/redis-cluster/test.sh (it starts the cluster)',
    );
  }
  const infos = await Promise.all(nodes.map(({ host, port }) => clusterInfo(host, port)));
  const broken = nodes
    .map(({ host, port }, i) => ({ node: `${host}:${port}`, info: infos[i]! }))
    .filter(({ info }) => !/^cluster_state:ok\r?$/m.test(info))
    .map(({ node, info }) => `${node}: ${info.split('\n')[0]!.trim()}`);
  if (broken.length > 0) {
    throw new Error(`the Redis Cluster is not ok (cluster info):\n${broken.join('\n')}`);
  }
  // The developer's REDIS_URL stays known to redis.ts's refusal check.
  const saved = { redis: process.env.REDIS_URL, developer: process.env[DEVELOPER_REDIS_URL_ENV] };
  process.env[DEVELOPER_REDIS_URL_ENV] = saved.developer ?? saved.redis ?? '';
  delete process.env.REDIS_URL;
  return () => {
    if (saved.redis !== undefined) process.env.REDIS_URL = saved.redis;
    if (saved.developer === undefined) delete process.env[DEVELOPER_REDIS_URL_ENV];
    else process.env[DEVELOPER_REDIS_URL_ENV] = saved.developer;
  };
}
