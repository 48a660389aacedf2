import { afterAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../../core/store/redis-store.ts';
import { type CommitChanges, StoreKeyTypeError } from '../../core/store/types.ts';
import { clearPrefix, connectRedis, uniquePrefix } from '../support/redis.ts';
import { storeContract } from '../support/store-contract.ts';

const prefixes: string[] = [];
afterAll(async () => {
  for (const prefix of prefixes) await clearPrefix(prefix);
});

function makeStore() {
  const prefix = uniquePrefix('store');
  prefixes.push(prefix);
  const store = createRedisStore({
    redis: connectRedis(),
    prefix,
    conversationTtlSeconds: 3600,
    transcriptLimit: 200,
    eventLimit: 1000,
  });
  return { store, prefix };
}

storeContract('RedisStore (real Redis)', async () => makeStore().store);

const meta = { channel: 'web', userId: 'u', machineVersion: 1, createdAt: 'then', updatedAt: 'then' };
const changes = (text: string, extra: Partial<CommitChanges> = {}): CommitChanges => ({
  snapshot: { text },
  meta,
  events: [{ at: 'now', event: { type: 'user.message', text }, stateBefore: null, stateAfter: 'idle', version: 1 }],
  transcript: [{ conversationId: 'web:t', direction: 'in', text, at: 'now' }],
  checkAt: null,
  ...extra,
});

describe('RedisStore keys', () => {
  it('writes nothing at all when one of the keys a commit touches holds another type', async () => {
    const { store, prefix } = makeStore();
    const redis = connectRedis();
    try {
      expect(await store.commit('web:t', 0, changes('uno'))).toBe(1);
      // Whatever the layout, turn every list the commit wrote into a string: the next commit must refuse.
      const lists: string[] = [];
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        for (const key of keys) if ((await redis.type(key)) === 'list') lists.push(key);
      } while (cursor !== '0');
      expect(lists.length).toBeGreaterThan(0);
      for (const key of lists) await redis.set(key, 'not a list');
      const claim = await store.claimMessage('in:5:web:t:m1', 5_000);
      if (claim.state !== 'claimed') throw new Error('not claimed');
      const dedup = { key: 'in:5:web:t:m1', token: claim.token, result: { ok: true }, ttlMs: 60_000 };
      await expect(store.commit('web:t', 1, changes('dos', { dedup }))).rejects.toBeInstanceOf(StoreKeyTypeError);
      expect(await store.load('web:t')).toMatchObject({ version: 1, snapshot: { text: 'uno' } });
      expect(await store.claimMessage('in:5:web:t:m1', 5_000)).toEqual({ state: 'pending' });
      expect((await store.listConversations(0, 10)).ids).toEqual(['web:t']);
    } finally {
      await redis.quit();
      await store.close();
    }
  });

  it('reads conversations saved under the earlier key layout, and refuses ids that hit its old lists', async () => {
    const { store, prefix } = makeStore();
    const redis = connectRedis();
    try {
      await redis.hset(`${prefix}conv:web:legacy`, 'v', '3', 'snap', '{"value":"idle"}', 'meta', JSON.stringify(meta));
      await redis.rpush(`${prefix}conv:web:legacy:events`, '{"old":true}');
      expect(await store.load('web:legacy')).toEqual({ version: 3, snapshot: { value: 'idle' }, meta });
      expect(await store.commit('web:legacy', 3, changes('sigo'))).toBe(4);
      await expect(store.load('web:legacy:events')).rejects.toBeInstanceOf(StoreKeyTypeError);
      await expect(store.commit('web:legacy:events', 0, changes('intruso'))).rejects.toBeInstanceOf(StoreKeyTypeError);
      expect(await redis.lrange(`${prefix}conv:web:legacy:events`, 0, -1)).toEqual(['{"old":true}']);
    } finally {
      await redis.quit();
      await store.close();
    }
  });
});
