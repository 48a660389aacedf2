import { once } from 'node:events';
import { Cluster } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { scanKeys } from '../../core/redis-scan.ts';
import { createRedisStore } from '../../core/store/redis-store.ts';
import type { CommitChanges } from '../../core/store/types.ts';
import { testClusterNodeOptions, uniquePrefix } from '../support/redis.ts';
import { storeContract } from '../support/store-contract.ts';

/**
 * The conversation store on a real Redis Cluster (scripts/redis-cluster/start.sh): the sharded layout
 * keeps commit, claim and erase single scripts whose keys share a slot, and the index readers fan out
 * over the shards on every master.
 */
const seeds = process.env.REDIS_CLUSTER_NODES;
if (!seeds) throw new Error('REDIS_CLUSTER_NODES is not set: start the cluster (scripts/redis-cluster/start.sh)');
const nodes = seeds.split(',').map((node) => {
  const [host = '', port = ''] = node.trim().split(':');
  return { host, port: Number(port) };
});

const clients: Cluster[] = [];
const prefixes: string[] = [];

/** As the gateway connects (core/redis-connection.ts), ready before the first command. */
async function connectCluster(): Promise<Cluster> {
  const cluster = new Cluster(nodes, {
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    redisOptions: testClusterNodeOptions(),
  });
  clients.push(cluster);
  await once(cluster, 'ready', { signal: AbortSignal.timeout(10_000) });
  return cluster;
}

function newPrefix(): string {
  const prefix = uniquePrefix('cluster-store');
  prefixes.push(prefix);
  return prefix;
}

async function openStore(layout: 'classic' | 'sharded' = 'sharded', prefix = newPrefix()) {
  const redis = await connectCluster();
  const options = { prefix, conversationTtlSeconds: 3600, transcriptLimit: 500, eventLimit: 1000 };
  return createRedisStore({ ...options, redis, layout });
}

afterAll(async () => {
  const cluster = await connectCluster();
  // Key by key: a multi-key DEL across slots fails on a cluster.
  for (const prefix of prefixes) {
    for await (const keys of scanKeys(cluster, `${prefix}*`)) await Promise.all(keys.map((key) => cluster.unlink(key)));
  }
  for (const client of clients) client.disconnect();
});

storeContract('RedisStore, sharded layout (Redis Cluster)', () => openStore());

const meta = { channel: 'web', userId: 'u', machineVersion: 1, createdAt: 'then', updatedAt: 'then' };
const changes = (extra: Partial<CommitChanges> = {}): CommitChanges => ({
  snapshot: {},
  meta,
  events: [],
  transcript: [],
  checkAt: null,
  ...extra,
});

describe('the store on a Redis Cluster', () => {
  it('spreads the conversations over every master, and finds their keys on each (scanKeys)', async () => {
    const prefix = newPrefix();
    const store = await openStore('sharded', prefix);
    const ids = Array.from({ length: 40 }, (_, i) => `web:spread${i}`);
    for (const id of ids) expect(await store.commit(id, 0, changes({ checkAt: 1 }))).toBe(1);
    const cluster = await connectCluster();
    const perMaster = await Promise.all(
      cluster.nodes('master').map(async (node) => {
        let count = 0;
        for await (const keys of node.scanStream({ match: `${prefix}conv:*`, count: 1000 })) {
          count += (keys as string[]).length;
        }
        return count;
      }),
    );
    expect(perMaster.length).toBeGreaterThanOrEqual(3);
    expect(perMaster.every((count) => count > 0)).toBe(true);
    let found = 0;
    for await (const keys of scanKeys(cluster, `${prefix}conv:*`)) found += keys.length;
    expect(found).toBe(ids.length);
    expect((await store.listConversations(0, 100)).total).toBe(ids.length);
    expect((await store.claimDueChecks(Date.now(), 60_000, 100)).sort()).toEqual([...ids].sort());
    expect(await store.ping()).toBe(true);
    await store.close();
  });

  it('could not keep the classic layout there (its commit spans slots)', async () => {
    const store = await openStore('classic');
    // Refused by Redis (CROSSSLOT), or before it by the auto-pipelining client.
    await expect(store.commit('web:classic', 0, changes())).rejects.toThrow(/CROSSSLOT|same slot/);
    await store.close();
  });
});
