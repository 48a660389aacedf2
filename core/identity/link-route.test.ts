import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDemoCmms } from '../cmms/demo-server.ts';
import { errorHandler } from '../http/errors.ts';
import { createLogger } from '../log.ts';
import type { TurnResult } from '../runtime/types.ts';
import { cmmsLogin } from './cmms-login.ts';
import { mountLinkRoutes } from './link-route.ts';
import { createIdentityService, type IdentityServiceImpl } from './service.ts';
import type { LinkedIdentity } from './types.ts';

/** The link page against the demo CMMS on a loopback port (its users: password = username). */
let cmms: { url: string; close(): Promise<void> };
let cmmsDown = false;
beforeAll(async () => {
  cmms = await startDemoCmms({ rateLimit: false, unavailable: () => cmmsDown });
});
afterAll(() => cmms.close());

const CONVERSATION = 'whatsapp:56911112222';
let logLines: string[];
let linked: Array<{ conversationId: string; identity: LinkedIdentity }>;
let tracked: Promise<unknown>[];
let identity: IdentityServiceImpl;
let app: Hono;

beforeEach(() => {
  cmmsDown = false;
  logLines = [];
  linked = [];
  tracked = [];
  const logger = createLogger('debug', {}, (line) => logLines.push(line));
  identity = createIdentityService({
    key: 'a-test-identity-key-of-32-chars!!',
    publicUrl: 'https://bot.example/',
    policy: 'report',
    login: cmmsLogin({ baseUrl: cmms.url, timeoutMs: 5_000 }),
    logger,
  });
  const runtime = {
    identityLinked: async (conversationId: string, who: LinkedIdentity) => {
      linked.push({ conversationId, identity: who });
      return {} as TurnResult;
    },
    track: (work: Promise<unknown>) => void tracked.push(work),
    notify: async () => true,
  };
  app = new Hono();
  app.onError(errorHandler(logger));
  mountLinkRoutes(app, { identity, runtime, maxBodyBytes: 2048, trustedProxyHops: 0, logger });
});

/** A request from a client address (as `@hono/node-server` hands the socket over). */
const from = (address: string) => ({ incoming: { socket: { remoteAddress: address }, headers: {} } });

async function newCode(conversationId = CONVERSATION): Promise<string> {
  const { url } = await identity.issueLink(conversationId);
  expect(url).toMatch(/^https:\/\/bot\.example\/link\/[A-Za-z0-9_-]{32}$/);
  return url.slice(url.lastIndexOf('/') + 1);
}

function submit(
  code: string,
  fields: Record<string, string>,
  address = '10.0.0.1',
  type = 'application/x-www-form-urlencoded',
) {
  return app.request(
    `/link/${code}`,
    { method: 'POST', headers: { 'content-type': type }, body: new URLSearchParams(fields).toString() },
    from(address),
  );
}

describe('GET /link/:code', () => {
  it('shows a phone-friendly Spanish form under a strict CSP, with no external asset', async () => {
    const code = await newCode();
    const response = await app.request(`/link/${code}`);
    const html = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = response.headers.get('content-security-policy') ?? '';
    const nonce = /style-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(csp).toMatch(
      /^default-src 'none'; style-src 'nonce-[^']+'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'$/,
    );
    expect(html).toContain(`<style nonce="${nonce}">`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('cache-control')).toBe('no-store');

    expect(html).toContain('<title>Vincular tu cuenta del CMMS</title>');
    expect(html).toContain('name="viewport"');
    expect(html).toContain('tu chat de WhatsApp terminado en …2222');
    expect(html).toContain('Si no pediste este enlace en tu propio chat, no continúes.');
    expect(html).toContain('Tu contraseña se envía solo al CMMS');
    expect(html).toMatch(/name="username"[^>]*autocomplete="username"|autocomplete="username"[^>]*name="username"/);
    expect(html).toContain('autocomplete="current-password"');
    expect(html).not.toContain('56911112222'); // the phone number is not shown
    expect(html).not.toMatch(/https?:\/\//); // nothing loaded from anywhere
    expect(html).not.toContain('<script');

    // A second visit shows the form again: looking does not use the link up.
    expect((await app.request(`/link/${code}`)).status).toBe(200);
  });

  it('answers 404 in Spanish for an unknown or malformed code', async () => {
    for (const code of ['A'.repeat(32), 'nope', '..%2F..%2Fadmin']) {
      const response = await app.request(`/link/${code}`);
      expect(response.status).toBe(404);
      const html = await response.text();
      expect(html).toContain('Este enlace ya no es válido');
      expect(html).toContain('escribe &#34;vincular cuenta&#34; en el chat para recibir uno nuevo');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    }
  });
});

describe('POST /link/:code', () => {
  it('links the account, tells the conversation and uses the code up', async () => {
    const code = await newCode();
    const response = await submit(code, { username: 'tecnico1', password: 'tecnico1' });
    const html = await response.text();

    expect(response.status).toBe(200);
    expect(html).toContain('Listo, Juan Pérez (Técnico): tu cuenta quedó vinculada. Vuelve al chat.');
    await Promise.all(tracked);
    expect(linked).toEqual([
      {
        conversationId: CONVERSATION,
        identity: {
          cmmsUserId: 10,
          username: 'tecnico1',
          fullName: 'Juan Pérez',
          role: 'Técnico',
          linkedAt: expect.any(String),
        },
      },
    ]);
    expect(await identity.lookup(CONVERSATION)).toMatchObject({ cmmsUserId: 10, role: 'Técnico' });
    expect(await identity.tokenFor(CONVERSATION)).toMatch(/^[0-9a-f]{40}$/);

    // Single use: the page and the form are gone.
    expect((await app.request(`/link/${code}`)).status).toBe(404);
    expect((await submit(code, { username: 'supervisor1', password: 'supervisor1' })).status).toBe(404);
    expect(await identity.lookup(CONVERSATION)).toMatchObject({ cmmsUserId: 10 });

    // The log names the conversation and the CMMS user, never the credentials or the token.
    const log = logLines.join('\n');
    expect(log).toContain('"cmmsUserId":10');
    expect(log).not.toContain('tecnico1');
    expect(log).not.toContain((await identity.tokenFor(CONVERSATION))!);
  });

  it('shows a wrong password on the page, with the tries left, and keeps the code', async () => {
    const code = await newCode();
    const response = await submit(code, { username: 'tecnico1', password: 'wrong' });
    const html = await response.text();

    expect(response.status).toBe(401);
    expect(html).toContain('Usuario o contraseña incorrectos. Te quedan 4 intentos.');
    expect(html).toContain('value="tecnico1"'); // the username is kept, never the password
    expect(html).not.toContain('wrong');
    expect(linked).toEqual([]);

    const second = await submit(code, { username: 'tecnico1', password: 'tecnico1' });
    expect(second.status).toBe(200);
  });

  it('allows at most 5 tries per code, then 429 with Retry-After', async () => {
    const code = await newCode();
    const texts: string[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await submit(code, { username: 'tecnico1', password: `bad-${i}` }, `10.0.1.${i}`);
      expect(response.status).toBe(401);
      texts.push(await response.text());
    }
    expect(texts[3]).toContain('Te queda 1 intento.');
    expect(texts[4]).toContain('Ya no te quedan intentos');

    const blocked = await submit(code, { username: 'tecnico1', password: 'tecnico1' }, '10.0.1.9');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await blocked.text()).toContain('Hiciste demasiados intentos');
    expect(linked).toEqual([]);
  });

  it('allows at most 5 tries per client address, whatever the code', async () => {
    for (let i = 0; i < 5; i++) {
      const code = await newCode(`telegram:${i}`);
      expect((await submit(code, { username: 'operador1', password: 'bad' }, '192.0.2.7')).status).toBe(401);
    }
    const code = await newCode('telegram:99');
    const blocked = await submit(code, { username: 'operador1', password: 'operador1' }, '192.0.2.7');
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBeTruthy();
    // Another address may still use that code (and the refused try did not count against it).
    expect((await submit(code, { username: 'operador1', password: 'operador1' }, '192.0.2.8')).status).toBe(200);
  });

  it('does not count successful links against the address (people behind one office NAT)', async () => {
    for (let i = 0; i < 7; i++) {
      const code = await newCode(`sms:+5690000000${i}`);
      expect((await submit(code, { username: 'tecnico2', password: 'tecnico2' }, '198.51.100.1')).status).toBe(200);
    }
  });

  it('answers 503 with Retry-After when the CMMS is down, and the try is given back', async () => {
    const code = await newCode();
    cmmsDown = true;
    for (let i = 0; i < 6; i++) {
      const response = await submit(code, { username: 'tecnico1', password: 'tecnico1' });
      expect(response.status).toBe(503);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await response.text()).toContain('No pude comunicarme con el CMMS');
    }
    cmmsDown = false;
    expect((await submit(code, { username: 'tecnico1', password: 'tecnico1' })).status).toBe(200);
  });

  it('refuses other content types (415), big bodies (413) and missing fields (400) without using a try', async () => {
    const code = await newCode();
    const json = await submit(code, { username: 'a', password: 'b' }, '10.0.0.1', 'application/json');
    expect(json.status).toBe(415);
    expect(await json.text()).toContain('No pude leer el formulario');

    const big = await submit(code, { username: 'tecnico1', password: 'x'.repeat(4096) });
    expect(big.status).toBe(413);

    const empty = await submit(code, { username: 'tecnico1', password: '' });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('Escribe tu usuario y tu contraseña del CMMS.');

    const wrong = await submit(code, { username: 'tecnico1', password: 'bad' });
    expect(await wrong.text()).toContain('Te quedan 4 intentos.');
  });

  it('escapes what it shows back', async () => {
    const code = await newCode();
    const response = await submit(code, { username: '"><script>alert(1)</script>', password: 'bad' });
    const html = await response.text();
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#34;&#62;&#60;script&#62;');
  });
});

describe('linkedElsewhereNotice', () => {
  it('reads as Spanish whatever the chat ("al chat web", "a un chat de WhatsApp")', async () => {
    const { linkedElsewhereNotice } = await import('./link-route.ts');
    const { chatOf } = await import('./chat-label.ts');
    expect(linkedElsewhereNotice(chatOf('web:ana').other)).toMatch(
      /^Tu cuenta del CMMS se vinculó también al chat web del usuario terminado en …/,
    );
    expect(linkedElsewhereNotice(chatOf('whatsapp:56911114567').other)).toMatch(
      /^Tu cuenta del CMMS se vinculó también a un chat de WhatsApp terminado en …4567\./,
    );
  });
});
