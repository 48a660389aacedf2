import type { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/log.ts';
import { telegramFake } from '../../test/channels/fakes/telegram.ts';
import { createFakeRuntime, type FakeRuntime } from '../../test/contract/fake-runtime.ts';
import { fixtureText } from '../../test/contract/fixtures.ts';
import { mountPlugin } from '../../test/contract/plugin-host.ts';
import { type PlatformServer, startPlatformServer } from '../../test/support/platform-server.ts';
import { createTelegramPlugin, NOTICES } from './index.ts';

const SECRET = 'tg_webhook-secret';
let platform: PlatformServer;
let runtime: FakeRuntime;
let app: Hono;
const logs: Record<string, unknown>[] = [];

beforeAll(async () => {
  platform = await startPlatformServer([telegramFake({ token: '123:ABC' })]);
});
afterAll(() => platform.close());

beforeEach(() => {
  platform.reset();
  logs.length = 0;
  const logger = createLogger('debug', {}, (line) => logs.push(JSON.parse(line)));
  const plugin = createTelegramPlugin({ token: '123:ABC', webhookSecret: SECRET, apiUrl: platform.apiUrl('telegram') });
  runtime = createFakeRuntime({ reply: () => null });
  ({ app } = mountPlugin(plugin, { runtime, logger }));
});

const post = (body: string, secret: string | null = SECRET) =>
  app.request('/webhooks/telegram', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
    body,
  });

describe('POST /webhooks/telegram', () => {
  it('answers 200 and hands the message to the runtime', async () => {
    const res = await post(fixtureText('telegram', 'message-text.json'));
    expect(res.status).toBe(200);
    await runtime.settle();
    expect(runtime.received.map((m) => [m.conversationId, m.text])).toEqual([
      ['telegram:123456789', 'consultar estado de OT-CORR-1 🙏'],
    ]);
  });

  it('rejects a missing or wrong secret token with 401, processing nothing', async () => {
    const body = fixtureText('telegram', 'message-text.json');
    const missing = await post(body, null);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({
      error: 'unauthorized',
      message: 'X-Telegram-Bot-Api-Secret-Token is missing',
    });
    expect((await post(body, 'tg_webhook-secreT')).status).toBe(401);
    await runtime.settle();
    expect(runtime.received).toEqual([]);
    expect(JSON.stringify(logs)).not.toContain(SECRET);
    // Anyone can post forged requests: at most one warning a minute, counting the ones it skipped.
    expect(logs.filter((l) => l.msg === 'Telegram webhook secret rejected')).toMatchObject([
      { hasSecret: false, rejectedSinceLastWarning: 0 },
    ]);
  });

  it('refuses an unauthenticated body before reading it: 401 for an oversized one, not 413', async () => {
    let chunksRead = 0;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          chunksRead += 1;
          controller.enqueue(new Uint8Array(16 * 1024));
          if (chunksRead >= 8) controller.close(); // 128 KiB, twice the default body cap
        },
      },
      { highWaterMark: 0 },
    );
    const refused = await app.request('/webhooks/telegram', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'wrong' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(refused.status).toBe(401);
    expect(chunksRead).toBe(0);
    const authenticated = await post(`{"update_id":1,"pad":"${'a'.repeat(70_000)}"}`);
    expect(authenticated.status).toBe(413);
  });

  it('answers 400 with a reason for bad JSON or a body that is not an Update', async () => {
    const bad = await post('{');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_request' });
    const notUpdate = await post(JSON.stringify({ message: { text: 'hola' } }));
    expect(notUpdate.status).toBe(400);
    expect(await notUpdate.json()).toMatchObject({ message: 'update_id must be an integer' });
  });

  it('processes a replayed update once', async () => {
    const body = fixtureText('telegram', 'message-text.json');
    await post(body);
    await post(body);
    await runtime.settle();
    expect(runtime.received).toHaveLength(1);
  });

  it('answers the callback query and passes the pressed button as the action', async () => {
    await post(fixtureText('telegram', 'callback-query.json'));
    await runtime.settle();
    expect(runtime.received).toMatchObject([{ action: 'priority:alta', text: 'Alta' }]);
    expect(platform.requests.filter((r) => r.operation === 'answerCallbackQuery')).toMatchObject([
      { body: { callback_query_id: '4382164981273645121' } },
    ]);
  });

  it('answers a press of a button whose long id this process no longer knows', async () => {
    const update = JSON.parse(fixtureText('telegram', 'callback-query.json'));
    update.callback_query.data = '#forgotten';
    await post(JSON.stringify(update));
    await runtime.settle();
    expect(runtime.received).toEqual([]);
    expect(platform.requests.map((r) => r.operation)).toContain('answerCallbackQuery');
    expect(platform.sent('telegram', '123456789').map((m) => m.text)).toEqual([NOTICES.expiredButton]);
  });

  it('does not process edits, and says so once in Spanish', async () => {
    const body = fixtureText('telegram', 'edited-message.json');
    expect((await post(body)).status).toBe(200);
    await post(body);
    await runtime.settle();
    expect(runtime.received).toEqual([]);
    expect(platform.sent('telegram', '123456789').map((m) => m.text)).toEqual([NOTICES.edited]);
  });

  it('answers a message it cannot read politely', async () => {
    await post(fixtureText('telegram', 'message-contact.json'));
    await runtime.settle();
    expect(runtime.received).toEqual([]);
    expect(platform.sent('telegram', '123456789').map((m) => m.text)).toEqual([NOTICES.unsupported]);
  });

  it('answers 503 while the store is down, so that Telegram delivers again, and 200 once it is back', async () => {
    let down = true;
    runtime = createFakeRuntime({ reply: () => null, unavailable: () => down });
    const logger = createLogger('debug', {}, (line) => logs.push(JSON.parse(line)));
    const plugin = createTelegramPlugin({
      token: '123:ABC',
      webhookSecret: SECRET,
      apiUrl: platform.apiUrl('telegram'),
    });
    ({ app } = mountPlugin(plugin, { runtime, logger }));
    const body = fixtureText('telegram', 'message-text.json');
    const refused = await post(body);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: 'unavailable' });
    await runtime.settle();
    expect(runtime.received).toEqual([]);
    down = false;
    expect((await post(body)).status).toBe(200);
    await runtime.settle();
    expect(runtime.received).toHaveLength(1);
  });

  it('ignores other update kinds with 200', async () => {
    const res = await post(JSON.stringify({ update_id: 9, my_chat_member: { chat: { id: 1 } } }));
    expect(res.status).toBe(200);
    await runtime.settle();
    expect(runtime.received).toEqual([]);
    expect(platform.requests).toEqual([]);
  });
});
