import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoCmms } from '../../core/cmms/demo-server.ts';
import { cmmsLogin, createIdentityService, LinkRefusedError } from '../../core/identity/index.ts';
import { silentLogger } from '../../core/log.ts';
import { clearPrefix, connectRedis, uniquePrefix } from '../support/redis.ts';

/** The identity service on the real Redis, logging in to the demo CMMS: what every gateway process shares. */
let redis: Redis;
let cmms: { url: string; close(): Promise<void> };
const prefix = uniquePrefix('identity-service');
const KEY = 'service-test-identity-key-0123456789';

beforeAll(async () => {
  redis = connectRedis();
  cmms = await startDemoCmms({ rateLimit: false });
});
afterAll(async () => {
  await clearPrefix(prefix);
  await redis.quit();
  await cmms.close();
});

const service = (key: string | null = KEY) =>
  createIdentityService({
    redis: { client: redis, keyPrefix: prefix },
    ...(key ? { key } : {}),
    publicUrl: 'https://bot.example',
    policy: 'report',
    login: cmmsLogin({ baseUrl: cmms.url }),
    logger: silentLogger,
  });

describe('identity service on Redis', () => {
  it('links through a code bound to its conversation, shared by every process with the same IDENTITY_KEY', async () => {
    const first = service();
    const second = service(); // another process
    const { url, expiresAt } = await first.issueLink('whatsapp:56900000001');
    expect(expiresAt - Date.now()).toBeGreaterThan(9 * 60_000);
    const code = url.split('/').pop()!;
    expect(await second.peekCode(code)).toMatchObject({ conversationId: 'whatsapp:56900000001' });

    const linked = await second.linkWithCode(code, 'supervisor1', 'supervisor1');
    expect(linked).toEqual({
      conversationId: 'whatsapp:56900000001',
      identity: expect.objectContaining({ cmmsUserId: 2, fullName: 'Carolina Muñoz', role: 'Supervisor' }),
    });
    const token = await first.tokenFor('whatsapp:56900000001');
    expect(token).toMatch(/^[0-9a-f]{40}$/);
    expect(await first.lookup('whatsapp:56900000001')).toMatchObject({ username: 'supervisor1' });
    expect(await first.lookup('whatsapp:56900000001')).not.toHaveProperty('expired');

    // At rest the token is sealed; the admin list never shows it.
    const raw = await redis.get(`${prefix}identity:link:20:whatsapp:56900000001`);
    expect(raw).toContain('"sealedToken":"v1.');
    expect(raw).not.toContain(token!);
    expect(JSON.stringify(await first.list())).not.toContain('sealedToken');

    // A process with another key (or none: a restart without IDENTITY_KEY) reads the link as expired.
    const other = service('a-different-identity-key-123');
    expect(await other.tokenFor('whatsapp:56900000001')).toBeNull();
    expect(await other.lookup('whatsapp:56900000001')).toMatchObject({ expired: true });
    expect(await service(null).tokenFor('whatsapp:56900000001')).toBeNull();
  });

  it('uses a code once, even for two logins at the same time', async () => {
    const identity = service();
    const { url } = await identity.issueLink('telegram:5001');
    const code = url.split('/').pop()!;
    const results = await Promise.all([
      identity.linkWithCode(code, 'tecnico2', 'tecnico2'),
      identity.linkWithCode(code, 'tecnico3', 'tecnico3'),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await identity.linkWithCode(code, 'tecnico2', 'tecnico2')).toBeNull();
  });

  it('voids the earlier links of a chat: a newer one, or a link made, leaves none that could link it again', async () => {
    const identity = service();
    const codeOf = async () => (await identity.issueLink('whatsapp:56900000003')).url.split('/').pop()!;
    const [first, second, third] = [await codeOf(), await codeOf(), await codeOf()];
    expect(await identity.linkWithCode(first, 'tecnico1', 'tecnico1')).toBeNull();
    expect(await identity.linkWithCode(third, 'tecnico1', 'tecnico1')).toMatchObject({
      identity: { fullName: 'Juan Pérez' },
    });
    expect(await identity.linkWithCode(second, 'tecnico2', 'tecnico2')).toBeNull();
    expect(await identity.lookup('whatsapp:56900000003')).toMatchObject({ username: 'tecnico1' });
  });

  it('keeps the code after a refused login', async () => {
    const identity = service();
    const { url } = await identity.issueLink('sms:+56900000002');
    const code = url.split('/').pop()!;
    await expect(identity.linkWithCode(code, 'tecnico4', 'wrong')).rejects.toBeInstanceOf(LinkRefusedError);
    expect(await identity.peekCode(code)).not.toBeNull();
    expect(await identity.linkWithCode(code, 'tecnico4', 'tecnico4')).not.toBeNull();
  });

  it('marks a link expired, unlinks it, and finds a CMMS user’s conversations', async () => {
    const identity = service();
    await identity.linkWithPassword('web:u1', 'operador1', 'operador1');
    await identity.linkWithPassword('telegram:u1', 'operador1', 'operador1');
    expect((await identity.conversationsOf(3)).sort()).toEqual(['telegram:u1', 'web:u1']);

    await identity.markExpired('web:u1');
    expect(await identity.tokenFor('web:u1')).toBeNull();
    expect(await identity.lookup('web:u1')).toMatchObject({ cmmsUserId: 3, expired: true });
    expect((await identity.list()).find((item) => item.conversationId === 'web:u1')).toMatchObject({ expired: true });

    expect(await identity.unlink('web:u1')).toBe(true);
    expect(await identity.unlink('web:u1')).toBe(false);
    expect(await identity.lookup('web:u1')).toBeNull();
    expect(await identity.conversationsOf(3)).toEqual(['telegram:u1']);
  });

  it('counts tries per code and per address across processes', async () => {
    const [a, b] = [service(), service()];
    const { url } = await a.issueLink('web:tries');
    const code = url.split('/').pop()!;
    const outcomes = [];
    for (let i = 0; i < 6; i++) outcomes.push(await (i % 2 ? a : b).countTry(code, `203.0.113.${i}`));
    expect(outcomes.slice(0, 5).map((o) => o.allowed && o.remaining)).toEqual([4, 3, 2, 1, 0]);
    expect(outcomes[5]).toMatchObject({ allowed: false });
    expect((outcomes[5] as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(590_000);
  });
});

describe('a conversation the gateway no longer trusts (WEB_API_KEY removed since it linked)', () => {
  it('has no identity and no token, and its live codes are dead; trusted conversations are untouched', async () => {
    const keyed = service();
    const open = createIdentityService({
      redis: { client: redis, keyPrefix: prefix },
      key: KEY,
      publicUrl: 'https://bot.example',
      policy: 'report',
      login: cmmsLogin({ baseUrl: cmms.url }),
      logger: silentLogger,
      trusts: (conversationId) => !conversationId.startsWith('web:') || conversationId.startsWith('web:~'),
    });
    await keyed.linkWithPassword('web:rest-juan', 'tecnico1', 'tecnico1');
    const code = (await keyed.issueLink('web:rest-juan')).url.split('/').pop()!;
    expect(await keyed.tokenFor('web:rest-juan')).not.toBeNull();

    expect(await open.lookup('web:rest-juan')).toBeNull();
    expect(await open.tokenFor('web:rest-juan')).toBeNull();
    expect(await open.peekCode(code)).toBeNull();
    expect(await open.linkWithCode(code, 'tecnico1', 'tecnico1')).toBeNull();
    await expect(open.issueLink('web:rest-juan')).rejects.toMatchObject({ code: 'link_not_allowed', status: 403 });

    await keyed.linkWithPassword('telegram:trusted-1', 'tecnico1', 'tecnico1');
    expect(await open.lookup('telegram:trusted-1')).toMatchObject({ cmmsUserId: 10 });
  });
});

describe('the token of a live link, for one CMMS user', () => {
  it('is refused for another user (the conversation linked again since the run started)', async () => {
    const identity = service();
    await identity.linkWithPassword('whatsapp:56900000077', 'tecnico1', 'tecnico1');
    expect(await identity.tokenFor('whatsapp:56900000077', 10)).not.toBeNull();
    expect(await identity.tokenFor('whatsapp:56900000077', 2)).toBeNull();
  });
});

describe('marking a link expired', () => {
  it('never brings back a link unlinked at the same time (compare-and-set), in Redis and in memory', async () => {
    for (const kind of ['redis', 'memory'] as const) {
      const identity =
        kind === 'redis'
          ? service()
          : createIdentityService({
              key: KEY,
              publicUrl: 'https://bot.example',
              policy: 'report',
              login: cmmsLogin({ baseUrl: cmms.url }),
              logger: silentLogger,
            });
      const id = `whatsapp:5690000${kind === 'redis' ? '1' : '2'}111`;
      await identity.linkWithPassword(id, 'tecnico1', 'tecnico1');
      await Promise.all([identity.markExpired(id), identity.unlink(id)]);
      expect(await identity.lookup(id), kind).toBeNull();
      expect(await identity.tokenFor(id), kind).toBeNull();
    }
  });
});

describe('identity keys in the cluster layout', () => {
  it('all carry the {identity} tag (its transactions span several keys); the classic layout has none', async () => {
    const tagged = uniquePrefix('identity-cluster');
    const identity = createIdentityService({
      redis: { client: redis, keyPrefix: tagged, cluster: true },
      key: KEY,
      publicUrl: 'https://bot.example',
      policy: 'report',
      login: cmmsLogin({ baseUrl: cmms.url }),
      logger: silentLogger,
    });
    try {
      const { url } = await identity.issueLink('telegram:}x{');
      const code = url.split('/').pop()!;
      expect(await identity.countTry(code, '203.0.113.9')).toMatchObject({ allowed: true });
      await identity.linkWithCode(code, 'supervisor1', 'supervisor1');
      await identity.linkWithPassword('whatsapp:56900000002', 'supervisor1', 'supervisor1');
      expect(await identity.conversationsOf(2)).toEqual(
        expect.arrayContaining(['telegram:}x{', 'whatsapp:56900000002']),
      );
      expect((await identity.list()).map((link) => link.conversationId).sort()).toEqual([
        'telegram:}x{',
        'whatsapp:56900000002',
      ]);
      const keys = await redis.keys(`${tagged}*`);
      expect(keys.length).toBeGreaterThanOrEqual(4);
      for (const key of keys) expect(key.startsWith(`${tagged}{identity}identity:`), key).toBe(true);
      expect(await identity.unlink('telegram:}x{')).toBe(true);
      expect(await identity.lookup('telegram:}x{')).toBeNull();
    } finally {
      await clearPrefix(tagged);
    }
    // The classic layout (no cluster) keeps its keys as they were: no tag.
    expect(await redis.exists(`${prefix}identity:all`)).toBe(1);
  });
});
