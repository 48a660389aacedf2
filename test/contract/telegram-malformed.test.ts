import { readdirSync } from 'node:fs';
import type { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/log.ts';
import { createTelegramPlugin } from '../../plugins/telegram/index.ts';
import { telegramFake } from '../channels/fakes/telegram.ts';
import { mutatedBodies } from '../support/fuzz.ts';
import { type PlatformServer, startPlatformServer } from '../support/platform-server.ts';
import { createFakeRuntime, type FakeRuntime } from './fake-runtime.ts';
import { fixture } from './fixtures.ts';
import { mountPlugin } from './plugin-host.ts';

/** Authenticated deliveries with fields of the wrong type: never a 5xx (Telegram would resend them). */
const SECRET = 'tg_malformed-secret';
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

const post = (body: unknown) =>
  app.request('/webhooks/telegram', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

// biome-ignore lint/suspicious/noExplicitAny: recorded payloads, changed field by field
type Update = Record<string, any>;
const update = (name: string) => fixture<Update>('telegram', name);
const deep = (depth: number): unknown => (depth === 0 ? 1 : [deep(depth - 1)]);
const errors = () => logs.filter((l) => l.level === 'error');

describe('malformed Telegram updates', () => {
  it.each([[1e15], ['abc'], [-5], [{ seconds: 1 }]])(
    'keeps a message whose date is %j, dated on arrival',
    async (date) => {
      const body = update('message-text.json');
      body.message.date = date;
      expect((await post(body)).status).toBe(200);
      await runtime.settle();
      expect(runtime.received).toHaveLength(1);
      expect(Date.parse(runtime.received[0]!.receivedAt)).toBeGreaterThan(Date.parse('2026-01-01'));
    },
  );

  it('keeps the caption of a photo whose sizes are broken (photo: [null])', async () => {
    const body = update('message-photo.json');
    body.message.photo = [null];
    expect((await post(body)).status).toBe(200);
    await runtime.settle();
    expect(runtime.received).toMatchObject([{ text: 'Fuga de aceite en CAT-001' }]);
    expect(runtime.received[0]!.attachments).toBeUndefined();
  });

  it.each([[{}], [[null]], [[[null]]], ['x'], [[[{ text: {} }]]]])(
    'still passes a press on as its action when inline_keyboard is %j',
    async (keyboard: unknown) => {
      const body = update('callback-query.json');
      body.callback_query.message.reply_markup.inline_keyboard = keyboard;
      expect((await post(body)).status).toBe(200);
      await runtime.settle();
      expect(runtime.received).toMatchObject([{ action: 'priority:alta' }]);
      expect(errors()).toEqual([]);
    },
  );

  it.each([
    ['chat.id', { id: 1 }],
    ['chat.id', deep(40)],
    ['chat.id', deep(10)],
    ['chat.id', { toString: 1 }],
    ['from.id', { id: 1 }],
    ['from.id', deep(10)],
    ['from.id', '123'],
  ])('skips a message whose %s is %j with 200, processing nothing', async (field, value) => {
    const body = update('message-text.json');
    const [owner, key] = field.split('.') as [string, string];
    body.message[owner][key] = value;
    const response = await post(body);
    expect(response.status).toBeLessThan(500);
    if (response.status === 200)
      expect(await response.json()).toMatchObject({ skipped: expect.stringContaining(field) });
    await runtime.settle();
    expect(runtime.received).toEqual([]);
    expect(platform.requests).toEqual([]);
    expect(errors()).toEqual([]);
  });

  it('skips a button press whose sender or chat is broken', async () => {
    for (const broken of [
      (b: Update) => (b.callback_query.from.id = { id: 1 }),
      (b: Update) => (b.callback_query.message.chat.id = [[1]]),
      (b: Update) => (b.callback_query.id = { id: '1' }),
    ]) {
      const body = update('callback-query.json');
      broken(body);
      expect((await post(body)).status).toBe(200);
    }
    await runtime.settle();
    expect(runtime.received).toEqual([]);
    expect(errors()).toEqual([]);
  });

  it('reads /constructor and /__proto__ as plain text, not as a known command', async () => {
    for (const [i, text] of [
      '/constructor',
      '/__proto__',
      '/toString@somacor_mant_bot',
      '/hasOwnProperty x',
    ].entries()) {
      const body = update('message-text.json');
      body.update_id += i;
      body.message.message_id += i;
      body.message.text = text;
      expect((await post(body)).status).toBe(200);
    }
    await runtime.settle();
    expect(runtime.received.map((m) => m.text)).toEqual([
      '/constructor',
      '/__proto__',
      '/tostring',
      '/hasownproperty x',
    ]);
  });

  it('refuses a body nested deeper than any Update with 400', async () => {
    const body = update('message-text.json');
    body.message.entities = '<deep>';
    const response = await post(JSON.stringify(body).replace('"<deep>"', `${'['.repeat(5000)}${']'.repeat(5000)}`));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ message: 'body nests deeper than 32 levels' });
  });

  it('answers every one of 360 mutated recorded updates below 500 (seeded)', async () => {
    const names = readdirSync(new URL('../fixtures/telegram/', import.meta.url)).filter((n) => n.endsWith('.json'));
    const statuses = new Map<number, number>();
    for (const [i, name] of names.entries()) {
      for (const body of mutatedBodies(update(name), 40, 9_000 + i)) {
        const response = await post(body);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(response.status, body.slice(0, 300)).toBeLessThan(500);
      }
    }
    await runtime.settle();
    expect([...statuses.values()].reduce((a, b) => a + b)).toBe(names.length * 40);
    // Accepted updates were processed without a crash in the background either.
    expect(errors()).toEqual([]);
    expect(statuses.get(200)).toBeGreaterThan(0);
  });
});
