import type { Redis } from 'ioredis';
import { isCluster, type RedisClient } from './redis-connection.ts';

/**
 * The keys matching a glob pattern, in batches (SCAN, never KEYS). On a cluster every master is
 * scanned: the client's own `scan` runs on one random node and silently misses the others' keys.
 * A key may come twice (SCAN's guarantee); keys written during the scan may be missed.
 */
export async function* scanKeys(client: RedisClient, match: string, count = 1000): AsyncGenerator<string[]> {
  const nodes: Redis[] = isCluster(client) ? client.nodes('master') : [client];
  if (nodes.length === 0) throw new Error('the Redis Cluster has no known master');
  for (const node of nodes) {
    for await (const batch of node.scanStream({ match, count })) {
      const keys = batch as string[];
      if (keys.length) yield keys;
    }
  }
}
