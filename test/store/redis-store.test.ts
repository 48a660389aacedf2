import { afterAll, describe, expect, it } from 'vitest';
import { shardOf } from '../../core/redis-keys.ts';
import { messageKey } from '../../core/runtime/message-once.ts';
import { type StoreLayout, storeKeys } from '../../core/store/redis-layout.ts';
import { createRedisStore } from '../../core/store/redis-store.ts';
import { type CommitChanges, StoreKeyTypeError } from '../../core/store/types.ts';
import { clearPrefix, connectRedis, uniquePrefix } from '../support/redis.ts';
import { redisStores } from '../support/runtime-harness.ts';
import { storeContract } from '../support/store-contract.ts';

const stores = redisStores('store');
function makeStore() {
  const prefix = stores.newPrefix();
  return { store: stores.open(prefix), prefix };
}

storeContract('RedisStore (real Redis)', async () => makeStore().store);

// The Redis Cluster layout on one Redis: every key of a conversation carries its shard's tag.
const shardedPrefixes: string[] = [];
afterAll(async () => {
  for (const prefix of shardedPrefixes) await clearPrefix(prefix);
});
function openStore(layout: StoreLayout) {
  const prefix = uniquePrefix(`store-${layout}`);
  shardedPrefixes.push(prefix);
  const options = { prefix, conversationTtlSeconds: 3600, transcriptLimit: 500, eventLimit: 1000 };
  return { store: createRedisStore({ ...options, redis: connectRedis(), layout }), prefix };
}
storeContract('RedisStore, sharded layout (real Redis)', async () => openStore('sharded').store);

const meta = { channel: 'web', userId: 'u', machineVersion: 1, createdAt: 'then', updatedAt: 'then' };
const changes = (text: string, extra: Partial<CommitChanges> = {}): CommitChanges => ({
  snapshot: { text },
  meta,
  events: [{ at: 'now', event: { type: 'user.message', text }, stateBefore: null, stateAfter: 'idle', version: 1 }],
  transcript: [{ conversationId: 'web:t', direction: 'in', text, at: 'now' }],
  checkAt: null,
  ...extra,
});

/** Every key under a prefix, without it, sorted. */
async function keysUnder(prefix: string): Promise<string[]> {
  const redis = connectRedis();
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    found.push(...keys.map((key) => key.slice(prefix.length)));
  } while (cursor !== '0');
  await redis.quit();
  return found.sort();
}

describe('RedisStore keys', () => {
  it.each([
    ['classic', ['checks', 'conv-answered:web:t', 'conv-events:web:t', 'conv-replies:web:t', 'conv-transcript:web:t']],
    ['sharded', ['checks{s}', 'conv-answered:{s}:web:t', 'conv-events:{s}:web:t', 'conv-replies:{s}:web:t']],
  ] as const)('writes a conversation where the %s layout says', async (layout, expected) => {
    const { store, prefix } = openStore(layout);
    try {
      const key = messageKey('in', 'web:t', 'm1');
      const claim = await store.claimMessage('web:t', key, 5_000);
      if (claim.state !== 'claimed') throw new Error('not claimed');
      const lasting = { result: { short: true }, afterMs: 1_000 };
      const dedup = { key, token: claim.token, result: { ok: true }, ttlMs: 60_000, lasting };
      expect(await store.commit('web:t', 0, changes('uno', { dedup, checkAt: Date.now() + 60_000 }))).toBe(1);
      const tag = `{s${shardOf('web:t')}}`;
      const more =
        layout === 'classic'
          ? ['conv:web:t', 'conversations']
          : [`conv-transcript:${tag}:web:t`, `conv:${tag}:web:t`, `conversations${tag}`];
      expect(await keysUnder(prefix)).toEqual([...expected.map((k) => k.replace('{s}', tag)), ...more].sort());
    } finally {
      await store.close();
    }
  });

  it.each(['classic', 'sharded'] as const)(
    'writes nothing at all when one of the keys a commit touches holds another type (%s)',
    async (layout) => {
      const { store, prefix } = openStore(layout);
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
        const claim = await store.claimMessage('web:t', 'in:5:web:t:m1', 5_000);
        if (claim.state !== 'claimed') throw new Error('not claimed');
        const dedup = { key: 'in:5:web:t:m1', token: claim.token, result: { ok: true }, ttlMs: 60_000 };
        await expect(store.commit('web:t', 1, changes('dos', { dedup }))).rejects.toBeInstanceOf(StoreKeyTypeError);
        expect(await store.load('web:t')).toMatchObject({ version: 1, snapshot: { text: 'uno' } });
        expect(await store.claimMessage('web:t', 'in:5:web:t:m1', 5_000)).toEqual({ state: 'pending' });
        expect((await store.listConversations(0, 10)).ids).toEqual(['web:t']);
      } finally {
        await redis.quit();
        await store.close();
      }
    },
  );

  it.each(['classic', 'sharded'] as const)(
    'keeps a conversation back to a short snapshot as compact as a new one (%s)',
    async (layout) => {
      const { store, prefix } = openStore(layout);
      const redis = connectRedis();
      try {
        const key = storeKeys(prefix, layout).of('web:t').conversation;
        const memory = async () => Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
        expect(await store.commit('web:t', 0, changes('hola'))).toBe(1);
        const small = await memory();
        // A report in progress: a draft longer than a listpack value; then back to idle.
        expect(await store.commit('web:t', 1, changes('x'.repeat(200)))).toBe(2);
        expect(await memory()).toBeGreaterThan(small + 200);
        expect(await store.commit('web:t', 2, changes('listo'))).toBe(3);
        expect(await memory()).toBeLessThanOrEqual(small);
        expect(await store.load('web:t')).toEqual({ version: 3, snapshot: { text: 'listo' }, meta });
        expect(await redis.ttl(key)).toBeGreaterThan(3000);
      } finally {
        await redis.quit();
        await store.close();
      }
    },
  );

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

describe('RedisStore after an upgrade from the earlier key layout', () => {
  const line = (text: string) => JSON.stringify({ conversationId: 'web:old', direction: 'in', text, at: 'then' });

  it('keeps showing the history kept in the earlier lists, older first, until it expires', async () => {
    const { store, prefix } = makeStore();
    const redis = connectRedis();
    try {
      await redis.hset(`${prefix}conv:web:old`, 'v', '1', 'snap', '{"text":"uno"}', 'meta', JSON.stringify(meta));
      await redis.rpush(`${prefix}conv:web:old:transcript`, line('uno'), line('dos'));
      await redis.rpush(`${prefix}conv:web:old:events`, JSON.stringify({ at: 'then', event: {}, version: 1 }));
      expect((await store.readTranscript('web:old')).map((t) => t.text)).toEqual(['uno', 'dos']);
      expect((await store.readEvents('web:old')).map((e) => e.version)).toEqual([1]);

      expect(await store.commit('web:old', 1, changes('tres'))).toBe(2);
      expect((await store.readTranscript('web:old')).map((t) => t.text)).toEqual(['uno', 'dos', 'tres']);
      expect((await store.readTranscript('web:old', 2)).map((t) => t.text)).toEqual(['dos', 'tres']);
      expect((await store.readTranscript('web:old', 1)).map((t) => t.text)).toEqual(['tres']);
      expect((await store.readEvents('web:old')).map((e) => e.version)).toEqual([1, 1]);
    } finally {
      await redis.quit();
      await store.close();
    }
  });

  it('never reads another conversation’s hash as a history (an id ending in ":events" under the earlier layout)', async () => {
    const { store, prefix } = makeStore();
    const redis = connectRedis();
    try {
      // Under the earlier layout the conversation `web:eve:events` kept its hash where `web:eve`'s log is.
      await redis.hset(`${prefix}conv:web:eve:events`, 'v', '1', 'snap', '{}', 'meta', JSON.stringify(meta));
      await redis.set(`${prefix}conv:web:eve:transcript`, 'not a list');
      expect(await store.readEvents('web:eve')).toEqual([]);
      expect(await store.readTranscript('web:eve')).toEqual([]);
      expect(await store.commit('web:eve', 0, changes('hola'))).toBe(1);
      expect((await store.readTranscript('web:eve')).map((t) => t.text)).toEqual(['hola']);
    } finally {
      await redis.quit();
      await store.close();
    }
  });

  it('erases the earlier layout’s lists of a conversation, never another conversation’s keys', async () => {
    const { store, prefix } = makeStore();
    const redis = connectRedis();
    try {
      await redis.hset(`${prefix}conv:web:ida`, 'v', '1', 'snap', '{}', 'meta', JSON.stringify(meta));
      await redis.rpush(`${prefix}conv:web:ida:transcript`, line('viejo'));
      await redis.rpush(`${prefix}conv:web:ida:events`, JSON.stringify({ at: 'then', event: {}, version: 1 }));
      // Under the earlier layout `web:ola:events` kept its hash where `web:ola`'s log was; and a list at
      // `conv:web:ida:x:events` is no hash of `web:ida:x:events`.
      await redis.hset(`${prefix}conv:web:ola:events`, 'v', '1', 'snap', '{}', 'meta', JSON.stringify(meta));
      await redis.rpush(`${prefix}conv:web:ida:x:events`, line('de web:ida:x'));
      await store.erase('web:ida');
      await store.erase('web:ola');
      await store.erase('web:ida:x:events');
      expect(await redis.exists(`${prefix}conv:web:ida`, `${prefix}conv:web:ida:transcript`)).toBe(0);
      expect(await redis.exists(`${prefix}conv:web:ida:events`)).toBe(0);
      expect(await redis.type(`${prefix}conv:web:ola:events`)).toBe('hash');
      expect(await redis.type(`${prefix}conv:web:ida:x:events`)).toBe('list');
    } finally {
      await redis.quit();
      await store.close();
    }
  });

  it('answers a message id answered before the upgrade from that answer, and only for its conversation', async () => {
    const { store, prefix } = makeStore();
    const redis = connectRedis();
    const answer = (conversationId: string, text: string) =>
      JSON.stringify({ conversationId, replies: [{ text }], state: 'idle', status: 'active', duplicate: false });
    try {
      await redis.set(`${prefix}msg:web:ana:m1`, answer('web:ana', 'hola Ana'), 'EX', 3600);
      await redis.set(`${prefix}msg:workflow:web:ana:run-1`, answer('web:ana', 'listo'), 'EX', 3600);
      await redis.set(`${prefix}msg:web:ana:m2`, 'pending:old-process', 'PX', 60_000);
      // `msg:web:eva:b:c` was both `web:eva` + `b:c` and `web:eva:b` + `c`: the stored answer says whose it is.
      await redis.set(`${prefix}msg:web:eva:b:c`, answer('web:eva', 'hola Eva'), 'EX', 3600);

      expect(await store.claimMessage('web:ana', messageKey('in', 'web:ana', 'm1'), 5_000)).toEqual({
        state: 'done',
        result: expect.objectContaining({ conversationId: 'web:ana', replies: [{ text: 'hola Ana' }] }),
      });
      expect(await store.claimMessage('web:ana', messageKey('workflow', 'web:ana', 'run-1'), 5_000)).toMatchObject({
        state: 'done',
        result: { replies: [{ text: 'listo' }] },
      });
      expect(await store.claimMessage('web:ana', messageKey('in', 'web:ana', 'm2'), 5_000)).toEqual({
        state: 'pending',
      });
      expect(await store.claimMessage('web:eva', messageKey('in', 'web:eva', 'b:c'), 5_000)).toMatchObject({
        state: 'done',
      });
      expect(await store.claimMessage('web:eva:b', messageKey('in', 'web:eva:b', 'c'), 5_000)).toMatchObject({
        state: 'claimed',
      });
      expect(await store.claimMessage('web:ana', messageKey('in', 'web:ana', 'm3'), 5_000)).toMatchObject({
        state: 'claimed',
      });
    } finally {
      await redis.quit();
      await store.close();
    }
  });

  it.each(['classic', 'sharded'] as const)(
    'keeps a conversation’s answered ids in one hash, its expired fields pruned by later commits (%s)',
    async (layout) => {
      const { store, prefix } = openStore(layout);
      const redis = connectRedis();
      const answer = async (version: number, id: string, ttlMs: number) => {
        const key = messageKey('in', 'web:p', id);
        const claim = await store.claimMessage('web:p', key, 5_000);
        if (claim.state !== 'claimed') throw new Error('not claimed');
        const dedup = { key, token: claim.token, result: ['idle', 'idle'], ttlMs };
        expect(await store.commit('web:p', version, changes(id, { dedup }))).toBe(version + 1);
      };
      try {
        for (let i = 0; i < 12; i++) await answer(i, `old${i}`, 20);
        await new Promise((resolve) => setTimeout(resolve, 40));
        for (let i = 12; i < 40; i++) await answer(i, `new${i}`, 60_000);
        const tag = layout === 'classic' ? '' : `{s${shardOf('web:p')}}:`;
        const hash = `${prefix}conv-answered:${tag}web:p`;
        const fields = await redis.hkeys(hash);
        expect(fields.filter((field) => field.startsWith('in:new'))).toHaveLength(28);
        expect(fields.length).toBeLessThan(40);
        expect(await redis.pttl(hash)).toBeGreaterThan(50_000);
        expect(await store.claimMessage('web:p', messageKey('in', 'web:p', 'new39'), 5_000)).toEqual({
          state: 'done',
          result: ['idle', 'idle'],
        });
      } finally {
        await redis.quit();
        await store.close();
      }
    },
  );
});
