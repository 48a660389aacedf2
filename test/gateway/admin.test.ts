import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../app/gateway.ts';
import type { EventLogEntry } from '../../core/store/types.ts';
import { telegramUser } from '../channels/drivers.ts';
import { telegramFake } from '../channels/fakes/telegram.ts';
import { type PlatformServer, startPlatformServer } from '../support/platform-server.ts';
import { webClient } from '../support/web-client.ts';

/**
 * The operators' REST API (`/admin/*`, Bearer ADMIN_TOKEN) on the real gateway (embedded defaults,
 * Telegram aimed at a loopback fake of the Bot API to produce dead letters).
 */
const ADMIN_TOKEN = `admin-${randomUUID()}`;
const TELEGRAM = { token: '7012345678:AAadmin-test-token', secret: 'admin_tg-webhook-secret' };

let gateway: Gateway;
let disabled: Gateway;
let platform: PlatformServer;

beforeAll(async () => {
  platform = await startPlatformServer([telegramFake({ token: TELEGRAM.token })]);
  [gateway, disabled] = await Promise.all([
    startGateway(
      {
        LOG_LEVEL: 'silent',
        IDENTITY_REQUIRED: 'none',
        ADMIN_TOKEN,
        TELEGRAM_BOT_TOKEN: TELEGRAM.token,
        TELEGRAM_WEBHOOK_SECRET: TELEGRAM.secret,
        TELEGRAM_API_URL: platform.apiUrl('telegram'),
      },
      { port: 0, host: '127.0.0.1' },
    ),
    startGateway({ LOG_LEVEL: 'silent', IDENTITY_REQUIRED: 'none' }, { port: 0, host: '127.0.0.1' }),
  ]);
});
afterAll(async () => {
  await Promise.all([gateway?.stop(), disabled?.stop()]);
  await platform?.close();
});

function admin(base: string, path: string, options: { body?: unknown; token?: string | null } = {}) {
  const token = options.token === undefined ? ADMIN_TOKEN : options.token;
  return fetch(`${base}${path}`, {
    method: options.body === undefined ? 'GET' : 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
}

async function until<T>(read: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const user = () => `adm-${randomUUID().slice(0, 8)}`;

describe('admin API (/admin/*)', () => {
  it('refuses requests without the admin token, or with a wrong one (401)', async () => {
    const { conversation_id: id } = await webClient(gateway.url).send(user(), 'hola');
    const path = `/admin/conversations/${id}/events`;
    for (const token of [null, 'wrong-token', '']) {
      const response = await admin(gateway.url, path, { token });
      expect(response.status, String(token)).toBe(401);
      expect(JSON.stringify(await response.json())).not.toContain('"events"');
    }
    // A conversation's own token is not an admin token either.
    const { conversation_token: conversationToken } = await webClient(gateway.url).send(user(), 'hola');
    expect((await admin(gateway.url, path, { token: conversationToken })).status).toBe(401);
    expect((await admin(gateway.url, '/admin/delivery/dead-letters', { token: 'wrong-token' })).status).toBe(401);
    expect(
      (await admin(gateway.url, `/admin/conversations/${id}/reply`, { body: { text: 'x' }, token: null })).status,
    ).toBe(401);
  });

  it('is disabled (403) on a gateway without ADMIN_TOKEN, whatever the token', async () => {
    const { conversation_id: id } = await webClient(disabled.url).send(user(), 'hola');
    for (const token of [null, ADMIN_TOKEN]) {
      const events = await admin(disabled.url, `/admin/conversations/${id}/events`, { token });
      expect(events.status).toBe(403);
      expect(await events.text()).toMatch(/ADMIN_TOKEN/);
      expect((await admin(disabled.url, '/admin/delivery/dead-letters', { token })).status).toBe(403);
    }
  });

  it('returns a conversation’s event log, and 404 for an unknown conversation', async () => {
    const client = webClient(gateway.url);
    const name = user();
    await client.send(name, 'hola');
    await client.send(name, 'reportar falla');
    const response = await admin(gateway.url, `/admin/conversations/web:${name}/events`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { conversation: { id: string; state: string }; events: EventLogEntry[] };
    expect(body.conversation).toMatchObject({ id: `web:${name}`, state: 'reporting.equipment' });
    expect(body.events.map((e) => [e.event.type, e.event.text, e.stateBefore, e.stateAfter, e.channel])).toEqual([
      ['user.message', 'hola', null, 'idle', 'web'],
      ['user.message', 'reportar falla', 'idle', 'reporting.equipment', 'web'],
    ]);
    expect(body.events.map((e) => e.version)).toEqual([1, 2]);

    const unknown = await admin(gateway.url, `/admin/conversations/web:${user()}/events`);
    expect(unknown.status).toBe(404);
    expect(
      (await admin(gateway.url, `/admin/conversations/web:${user()}/reply`, { body: { text: 'hola' } })).status,
    ).toBe(404);
  });

  it('lets a person answer in a hand-off, and hand the conversation back to the assistant', async () => {
    const client = webClient(gateway.url);
    const name = user();
    const asked = await client.send(name, 'quiero hablar con un supervisor');
    expect(asked.status).toBe('handoff');
    const id = asked.conversation_id;

    const text = 'Hola, soy Marta, supervisora de turno. ¿Qué equipo está detenido?';
    const replied = await admin(gateway.url, `/admin/conversations/${id}/reply`, { body: { text } });
    expect(replied.status).toBe(200);
    expect(await replied.json()).toEqual({
      conversation_id: id,
      status: 'handoff',
      replies: [{ conversationId: id, text: `Operador: ${text}`, kind: 'agent', agent: 'Operador' }],
    });

    const transcript = await client.messages(id, asked.conversation_token);
    expect(transcript.messages.at(-1)).toMatchObject({ direction: 'out', text: `Operador: ${text}` });
    expect(transcript.status).toBe('handoff');

    // The user's messages go to the person, not to the assistant, until released.
    const meanwhile = await client.send(name, 'la excavadora CAT-001 no enciende');
    expect(meanwhile.status).toBe('handoff');

    const released = await admin(gateway.url, `/admin/conversations/${id}/release`, { body: {} });
    expect(released.status).toBe(200);
    const back = (await released.json()) as { status: string; replies: { text: string }[] };
    expect(back.status).toBe('idle');
    expect(back.replies[0]?.text).toMatch(
      /^Operador terminó la atención; desde ahora te responde el asistente automático/,
    );
    expect((await client.messages(id, asked.conversation_token)).status).toBe('idle');
    expect((await client.send(name, 'hola')).replies[0]?.text).toMatch(/^¡Hola!/);
  });

  it('refuses a person’s reply outside a hand-off (409) and an empty reply (400)', async () => {
    const { conversation_id: id } = await webClient(gateway.url).send(user(), 'hola');
    expect((await admin(gateway.url, `/admin/conversations/${id}/reply`, { body: { text: 'Hola' } })).status).toBe(409);
    expect((await admin(gateway.url, `/admin/conversations/${id}/reply`, { body: { text: '  ' } })).status).toBe(400);
  });

  it('lists the outbound messages a platform refused for good (dead letters)', async () => {
    const empty = await admin(gateway.url, '/admin/delivery/dead-letters');
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({ dead_letters: [] });

    const chatId = 700_000 + Math.floor(Math.random() * 100_000);
    platform.failNext('telegram', 400); // e.g. "chat not found": no retry helps
    await telegramUser({ gatewayUrl: gateway.url, platform, secret: TELEGRAM.secret, chatId, name: 'Pedro' }).say(
      'hola',
    );
    const letters = await until(async () => {
      const response = await admin(gateway.url, '/admin/delivery/dead-letters');
      const { dead_letters: list } = (await response.json()) as { dead_letters: Record<string, unknown>[] };
      return list.length > 0 ? list : undefined;
    }, 'a dead letter');
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      channel: 'telegram',
      conversationId: `telegram:${chatId}`,
      message: { text: expect.stringMatching(/^¡Hola!/) },
    });
  });
});
