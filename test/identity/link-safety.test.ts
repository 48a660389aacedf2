import { Hono } from 'hono';
import { beforeEach, describe, expect, it } from 'vitest';
import { errorHandler } from '../../core/http/errors.ts';
import { LinkRefusedError } from '../../core/identity/errors.ts';
import { mountLinkRoutes } from '../../core/identity/link-route.ts';
import { createIdentityService, type IdentityServiceImpl } from '../../core/identity/service.ts';
import type { CmmsLoginResult } from '../../core/identity/types.ts';
import { silentLogger } from '../../core/log.ts';
import type { TurnResult } from '../../core/runtime/types.ts';
import { webSenderTrust } from '../../plugins/web/trust.ts';

/**
 * The link page's defences (security review of issue 11): which chat is being linked, the user's
 * other chats told, open REST web conversations never linked, race losers and IPv6 /64 tries.
 */

const USERS: Record<string, CmmsLoginResult> = {
  tecnico1: { token: 'tok-tecnico1', cmmsUserId: 10, username: 'tecnico1', fullName: 'Juan Pérez', role: 'Técnico' },
  operador1: { token: 'tok-operador1', cmmsUserId: 3, username: 'operador1', fullName: 'Ana Díaz', role: 'Operador' },
};
/** The CMMS login: password = username. With `barrier` set, logins wait until two of them arrived. */
let barrier: Array<() => void> | null = null;
async function login(username: string, password: string): Promise<CmmsLoginResult> {
  const waiting = barrier;
  if (waiting) {
    await new Promise<void>((resolve) => {
      waiting.push(resolve);
      if (waiting.length === 2) for (const release of waiting) release();
    });
  }
  const user = USERS[username];
  if (!user || password !== username) throw new LinkRefusedError();
  return user;
}

let identity: IdentityServiceImpl;
let app: Hono;
let notices: Array<{ conversationId: string; text: string }>;
let tracked: Promise<unknown>[];

beforeEach(() => {
  barrier = null;
  notices = [];
  tracked = [];
  identity = createIdentityService({
    key: 'a-test-identity-key-of-32-chars!!',
    publicUrl: 'https://bot.example',
    policy: 'report',
    login,
    logger: silentLogger,
    trusts: webSenderTrust(undefined), // WEB_API_KEY unset: REST web conversations are open
  });
  const runtime = {
    identityLinked: async () => ({}) as TurnResult,
    track: (work: Promise<unknown>) => void tracked.push(work),
    notify: async (conversationId: string, text: string) => {
      notices.push({ conversationId, text });
      return true;
    },
  };
  app = new Hono();
  app.onError(errorHandler(silentLogger));
  mountLinkRoutes(app, { identity, runtime, maxBodyBytes: 2048, trustedProxyHops: 0, logger: silentLogger });
});

const from = (address: string) => ({ incoming: { socket: { remoteAddress: address }, headers: {} } });
async function newCode(conversationId: string): Promise<string> {
  const { url } = await identity.issueLink(conversationId);
  return url.slice(url.lastIndexOf('/') + 1);
}
const submit = (code: string, username: string, password: string, address = '10.0.0.1') =>
  app.request(
    `/link/${code}`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username, password }).toString(),
    },
    from(address),
  );
const pageOf = async (code: string) => (await app.request(`/link/${code}`)).text();

describe('the link page names the chat being linked', () => {
  it('by channel and the last 4 characters of the address, with a warning against links sent by others', async () => {
    const warning = 'Si no pediste este enlace en tu propio chat, no continúes.';
    const whatsapp = await pageOf(await newCode('whatsapp:56987654567'));
    expect(whatsapp).toContain('Vas a vincular tu chat de WhatsApp terminado en …4567 con tu cuenta del CMMS');
    expect(whatsapp).toContain(warning);
    expect(whatsapp).not.toContain('56987654567');
    expect(await pageOf(await newCode('telegram:7001234'))).toContain('tu chat de Telegram terminado en …1234');
    expect(await pageOf(await newCode('sms:+56911119876'))).toContain('tus mensajes SMS del número terminado en …9876');
    const browser = await pageOf(await newCode('web:~6f1c2a9e-3b7d-4c55-9a0e-1d2f3a4b5c6d'));
    expect(browser).toContain('Vas a vincular este chat web con tu cuenta del CMMS');
    expect(browser).toContain(warning);
  });
});

describe('after a link, the CMMS user’s other chats are told', () => {
  it('which chat was linked; the linked chat and other users’ chats hear nothing', async () => {
    await identity.linkWithPassword('telegram:7001234', 'tecnico1', 'tecnico1');
    await identity.linkWithPassword('web:~a1b2c3d4-0000-4000-8000-000000000001', 'tecnico1', 'tecnico1');
    await identity.linkWithPassword('sms:+56911110000', 'operador1', 'operador1');
    const response = await submit(await newCode('whatsapp:56987654567'), 'tecnico1', 'tecnico1');
    expect(response.status).toBe(200);
    await Promise.all(tracked);
    const text =
      'Tu cuenta del CMMS se vinculó también a un chat de WhatsApp terminado en …4567. Si no fuiste tú, avisa de inmediato a un administrador del CMMS.';
    expect(notices.sort((a, b) => a.conversationId.localeCompare(b.conversationId))).toEqual([
      { conversationId: 'telegram:7001234', text },
      { conversationId: 'web:~a1b2c3d4-0000-4000-8000-000000000001', text },
    ]);
  });
});

describe('a conversation whose sender is not authenticated (open REST web API)', () => {
  it('never links: no link is issued (403 link_not_allowed) and admins cannot link it', async () => {
    await expect(identity.issueLink('web:juan')).rejects.toMatchObject({ code: 'link_not_allowed', status: 403 });
    await expect(identity.linkWithPassword('web:juan', 'tecnico1', 'tecnico1')).rejects.toMatchObject({
      code: 'link_not_allowed',
    });
    // Browser chats and the platform-signed channels link as before.
    expect(await identity.issueLink('web:~a1b2c3d4-0000-4000-8000-000000000002')).toHaveProperty('url');
    expect(await identity.issueLink('whatsapp:56900000001')).toHaveProperty('url');
  });

  it('is trusted once WEB_API_KEY vouches for the REST callers; browser chats and other channels always are', async () => {
    const keyed = webSenderTrust('backend-key');
    expect(keyed('web:juan')).toBe(true);
    const open = webSenderTrust(undefined);
    expect(open('web:juan')).toBe(false);
    expect(open('web:~a1b2c3d4-0000-4000-8000-000000000003')).toBe(true);
    expect(open('whatsapp:56900000001')).toBe(true);
  });
});

describe('tries on the link page', () => {
  it('give the address its try back when the password was right but another tab used the code first', async () => {
    const code = await newCode('whatsapp:56900000009');
    barrier = []; // both logins are accepted before either takes the code
    const racing = [
      submit(code, 'tecnico1', 'tecnico1', '192.0.2.50'),
      submit(code, 'tecnico1', 'tecnico1', '192.0.2.50'),
    ];
    expect((await Promise.all(racing)).map((r) => r.status).sort()).toEqual([200, 404]);
    barrier = null;
    // The address still has all 5 tries: 5 wrong passwords pass, the 6th is refused.
    const next = await newCode('whatsapp:56900000010');
    for (let i = 0; i < 5; i++) expect((await submit(next, 'tecnico1', 'bad', '192.0.2.50')).status).toBe(401);
    expect((await submit(await newCode('whatsapp:56900000011'), 'tecnico1', 'bad', '192.0.2.50')).status).toBe(429);
  });

  it('count an IPv6 client by its /64', async () => {
    const code = await newCode('whatsapp:56900000012');
    for (let i = 1; i <= 5; i++) {
      expect((await submit(code, 'tecnico1', 'bad', `2001:db8:7:8::${i.toString(16)}`)).status).toBe(401);
    }
    const other = await newCode('whatsapp:56900000013');
    expect((await submit(other, 'tecnico1', 'bad', '2001:db8:7:8:ffff:1:2:3')).status).toBe(429);
    expect((await submit(other, 'tecnico1', 'bad', '2001:db8:7:9::1')).status).toBe(401);
  });
});
