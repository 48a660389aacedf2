import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryIdentityStore } from '../../core/identity/memory-store.ts';
import { createRedisIdentityStore } from '../../core/identity/redis-store.ts';
import type { IdentityStore } from '../../core/identity/store.ts';
import type { IdentityRecord } from '../../core/identity/types.ts';
import { clearPrefix, connectRedis, uniquePrefix } from '../support/redis.ts';

/** The identity store's contract, in memory and in the real Redis. */
let redis: Redis;
const prefixes: string[] = [];
beforeAll(() => {
  redis = connectRedis();
});
afterAll(async () => {
  for (const prefix of prefixes) await clearPrefix(prefix);
  await redis.quit();
});

const record = (conversationId: string, cmmsUserId: number, over: Partial<IdentityRecord> = {}): IdentityRecord => ({
  conversationId,
  cmmsUserId,
  username: `user${cmmsUserId}`,
  fullName: `User ${cmmsUserId}`,
  role: 'Técnico',
  linkedAt: '2026-01-01T00:00:00.000Z',
  sealedToken: 'v1.a.b.c',
  ...over,
});

const clock = { now: Date.now() };
const kinds = {
  memory: () => createMemoryIdentityStore(() => clock.now),
  redis: () => {
    const prefix = uniquePrefix('identity');
    prefixes.push(prefix);
    return createRedisIdentityStore(redis, prefix, () => clock.now);
  },
};

describe.each(Object.entries(kinds))('identity store (%s)', (_kind, create) => {
  let store: IdentityStore;
  beforeEach(() => {
    clock.now = Date.now();
    store = create();
  });

  it('keeps, lists, indexes by CMMS user and removes links', async () => {
    await store.put(record('whatsapp:1', 10));
    await store.put(record('telegram:2', 10));
    await store.put(record('sms:+3', 11, { expired: true }));
    expect(await store.get('whatsapp:1')).toEqual(record('whatsapp:1', 10));
    expect((await store.list()).map((r) => r.conversationId).sort()).toEqual(['sms:+3', 'telegram:2', 'whatsapp:1']);
    expect((await store.conversationsOf(10)).sort()).toEqual(['telegram:2', 'whatsapp:1']);
    expect(await store.get('sms:+3')).toMatchObject({ expired: true });

    // Linked again to another CMMS user: the old user no longer finds it.
    await store.put(record('telegram:2', 11));
    expect(await store.conversationsOf(10)).toEqual(['whatsapp:1']);
    expect((await store.conversationsOf(11)).sort()).toEqual(['sms:+3', 'telegram:2']);

    expect(await store.remove('whatsapp:1')).toMatchObject({ cmmsUserId: 10 });
    expect(await store.remove('whatsapp:1')).toBeNull();
    expect(await store.get('whatsapp:1')).toBeNull();
    expect(await store.conversationsOf(10)).toEqual([]);
    expect(await store.list()).toHaveLength(2);
  });

  it('takes a code once, and not after it expired', async () => {
    const c = 'c'.repeat(32);
    await store.putCode({ code: c, conversationId: 'web:a', expiresAt: clock.now + 60_000 });
    expect(await store.peekCode(c)).toMatchObject({ conversationId: 'web:a' });
    const takes = await Promise.all([store.takeCode(c), store.takeCode(c)]);
    expect(takes.filter(Boolean)).toHaveLength(1);
    expect(await store.peekCode(c)).toBeNull();

    const d = 'd'.repeat(32);
    await store.putCode({ code: d, conversationId: 'web:a', expiresAt: clock.now + 60_000 });
    clock.now += 60_001;
    expect(await store.peekCode(d)).toBeNull();
    expect(await store.takeCode(d)).toBeNull();
  });

  it("keeps only a chat's newest code live, and voids it on request", async () => {
    const [first, second, other] = ['e'.repeat(32), 'f'.repeat(32), 'g'.repeat(32)];
    await store.putCode({ code: first, conversationId: 'telegram:7', expiresAt: clock.now + 60_000 });
    await store.putCode({ code: other, conversationId: 'telegram:8', expiresAt: clock.now + 60_000 });
    await store.putCode({ code: second, conversationId: 'telegram:7', expiresAt: clock.now + 60_000 });
    expect(await store.peekCode(first)).toBeNull();
    expect(await store.peekCode(second)).toMatchObject({ conversationId: 'telegram:7' });
    expect(await store.peekCode(other)).toMatchObject({ conversationId: 'telegram:8' });

    await store.voidCodes('telegram:7');
    expect(await store.takeCode(second)).toBeNull();
    expect(await store.peekCode(other)).toMatchObject({ conversationId: 'telegram:8' });
  });

  it('counts tries in a window and gives them back, never below zero', async () => {
    expect(await store.countTry('code', 'x', 600_000)).toMatchObject({ count: 1 });
    const second = await store.countTry('code', 'x', 600_000);
    expect(second.count).toBe(2);
    expect(second.resetInMs).toBeGreaterThan(590_000);
    expect((await store.countTry('addr', 'x', 600_000)).count).toBe(1); // another counter
    await store.refundTry('code', 'x');
    await store.refundTry('code', 'x');
    await store.refundTry('code', 'x');
    expect((await store.countTry('code', 'x', 600_000)).count).toBe(1);
  });

  it('marks a link expired only while it is the record that was read (never reviving one removed meanwhile)', async () => {
    await store.put(record('whatsapp:9', 10));
    expect(await store.markExpired('whatsapp:9')).toMatchObject({ cmmsUserId: 10, expired: true });
    expect(await store.get('whatsapp:9')).toMatchObject({ expired: true });
    expect(await store.markExpired('whatsapp:9')).toBeNull(); // already expired
    expect(await store.markExpired('whatsapp:none')).toBeNull();

    // Racing an unlink: whichever goes first, the link stays gone.
    await store.put(record('telegram:9', 10));
    await Promise.all([store.markExpired('telegram:9'), store.remove('telegram:9')]);
    expect(await store.get('telegram:9')).toBeNull();
    expect(await store.conversationsOf(10)).toEqual(['whatsapp:9']);
  });

  it('marks a link expired only if it was made no later than the given time (not one made since)', async () => {
    const linkedAt = Date.parse('2026-01-01T00:00:00.000Z');
    await store.put(record('whatsapp:7', 20));
    expect(await store.markExpired('whatsapp:7', linkedAt - 1)).toBeNull(); // linked after: another's link
    expect(await store.get('whatsapp:7')).not.toHaveProperty('expired');
    expect(await store.markExpired('whatsapp:7', linkedAt)).toMatchObject({ cmmsUserId: 20, expired: true });
  });
});

describe('identity store keys in Redis', () => {
  it('keeps every key under the prefix, with the conversation id length-prefixed', async () => {
    const prefix = uniquePrefix('identity-keys');
    prefixes.push(prefix);
    const store = createRedisIdentityStore(redis, prefix);
    const tricky = 'web:x:identity:all';
    const code = 'k'.repeat(32);
    await store.put(record(tricky, 5));
    await store.putCode({ code, conversationId: tricky, expiresAt: Date.now() + 600_000 });
    await store.countTry('code', code, 600_000);
    await store.countTry('addr', '2001:db8::1', 600_000);

    const keys = (await redis.keys(`${prefix}*`)).map((key) => key.slice(prefix.length)).sort();
    expect(keys).toEqual(
      [
        'identity:all',
        `identity:code:${code}`,
        `identity:code-of:${tricky.length}:${tricky}`,
        `identity:link:${tricky.length}:${tricky}`,
        'identity:tries:addr:2001:db8::1',
        `identity:tries:code:${code}`,
        'identity:user:5',
      ].sort(),
    );
    expect(await redis.type(`${prefix}identity:all`)).toBe('set');
    expect(await redis.pttl(`${prefix}identity:code:${code}`)).toBeGreaterThan(590_000);
    expect(await redis.pttl(`${prefix}identity:tries:addr:2001:db8::1`)).toBeGreaterThan(590_000);
  });

  it('reads only the known fields of a stored record', async () => {
    const prefix = uniquePrefix('identity-parse');
    prefixes.push(prefix);
    const store = createRedisIdentityStore(redis, prefix);
    const id = 'web:p';
    await redis.set(
      `${prefix}identity:link:${id.length}:${id}`,
      `{"__proto__":{"polluted":true},"extra":"no",${JSON.stringify(record(id, 1)).slice(1)}`,
    );
    const read = (await store.get(id)) as unknown as Record<string, unknown>;
    expect(read).toEqual(record(id, 1));
    expect(Object.keys(read)).not.toContain('extra');
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
    expect(read.polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    await redis.set(`${prefix}identity:link:5:web:q`, '{"conversationId":"web:q","cmmsUserId":"1"}');
    expect(await store.get('web:q')).toBeNull(); // malformed: no link
  });
});
