import { readdirSync } from 'node:fs';
import type { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/log.ts';
import { createWhatsAppPlugin } from '../../plugins/whatsapp/index.ts';
import { signWhatsAppBody } from '../../plugins/whatsapp/verify.ts';
import { whatsappFake } from '../channels/fakes/whatsapp.ts';
import { mutatedBodies } from '../support/fuzz.ts';
import { type PlatformServer, startPlatformServer } from '../support/platform-server.ts';
import { createFakeRuntime, type FakeRuntime } from './fake-runtime.ts';
import { fixture } from './fixtures.ts';
import { mountPlugin } from './plugin-host.ts';

/** Signed deliveries with fields of the wrong type: never a 5xx (Meta would resend them for days). */
const SECRET = 'meta-malformed-secret';
const PHONE_NUMBER_ID = '106540352242922';
let platform: PlatformServer;
let runtime: FakeRuntime;
let app: Hono;
const logs: Record<string, unknown>[] = [];

beforeAll(async () => {
  platform = await startPlatformServer([whatsappFake()]);
});
afterAll(() => platform.close());

beforeEach(() => {
  platform.reset();
  logs.length = 0;
  const logger = createLogger('debug', {}, (line) => logs.push(JSON.parse(line)));
  const plugin = createWhatsAppPlugin({
    verifyToken: 'verify-me',
    appSecret: SECRET,
    token: 'wa-token',
    phoneNumberId: PHONE_NUMBER_ID,
    apiUrl: platform.apiUrl('whatsapp'),
  });
  runtime = createFakeRuntime({ reply: () => null });
  ({ app } = mountPlugin(plugin, { runtime, logger }));
});

const post = (body: unknown) => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return app.request('/webhooks/whatsapp', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWhatsAppBody(SECRET, text) },
    body: text,
  });
};

// biome-ignore lint/suspicious/noExplicitAny: recorded payloads, changed field by field
type Delivery = Record<string, any>;
const delivery = (name: string) => fixture<Delivery>('whatsapp', name);
const changeOf = (body: Delivery) => body.entry[0].changes[0].value;
const errors = () => logs.filter((l) => l.level === 'error');

describe('malformed WhatsApp deliveries', () => {
  it.each([['100000000000000'], [1e15], ['abc'], [{ s: 1 }]])(
    'keeps a message whose timestamp is %j, dated on arrival',
    async (timestamp) => {
      const body = delivery('text.json');
      changeOf(body).messages[0].timestamp = timestamp;
      expect((await post(body)).status).toBe(200);
      await runtime.settle();
      expect(runtime.received).toHaveLength(1);
      expect(Date.parse(runtime.received[0]!.receivedAt)).toBeGreaterThan(Date.parse('2026-01-01'));
    },
  );

  it.each([[{ a: 1 }], [['text']], [null], [{ toString: 1 }]])('skips a message whose type is %j', async (type) => {
    const body = delivery('text.json');
    changeOf(body).messages[0].type = type;
    expect((await post(body)).status).toBe(200);
    await runtime.settle();
    expect(runtime.received).toEqual([]);
    expect(platform.requests).toEqual([]);
    expect(logs.some((l) => l.msg === 'malformed WhatsApp webhook items skipped')).toBe(true);
  });

  it.each([[{ a: 1 }], [[['56912345678']]], [56912345678]])('skips a status whose recipient_id is %j', async (id) => {
    const body = delivery('status-delivered.json');
    changeOf(body).statuses[0].recipient_id = id;
    expect((await post(body)).status).toBe(200);
    await runtime.settle();
    expect(runtime.statuses).toEqual([]);
    expect(errors()).toEqual([]);
  });

  it('keeps a failed status whose error fields have the wrong types, without them', async () => {
    const body = delivery('status-failed.json');
    changeOf(body).statuses[0].errors = [{ code: { n: 1 }, title: ['x'], error_data: 'x' }];
    expect((await post(body)).status).toBe(200);
    await runtime.settle();
    expect(runtime.statuses).toMatchObject([{ status: { status: 'failed' } }]);
    expect(errors()).toEqual([]);
  });

  it.each([
    ['missing', undefined],
    ['null', null],
    ['numeric', Number(PHONE_NUMBER_ID)],
    ['another number', '999000111'],
    ['an object', { id: PHONE_NUMBER_ID }],
  ])('processes nothing for a phone_number_id that is %s', async (_, id) => {
    const body = delivery('text.json');
    changeOf(body).metadata.phone_number_id = id;
    expect((await post(body)).status).toBe(200);
    await runtime.settle();
    expect(runtime.received).toEqual([]);
    expect(platform.requests).toEqual([]);
  });

  it('processes the change whose phone_number_id is exactly this number', async () => {
    expect((await post(delivery('text.json'))).status).toBe(200);
    await runtime.settle();
    expect(runtime.received).toHaveLength(1);
  });

  it('skips broken entries and changes with 200, processing the good ones of the same delivery', async () => {
    const body = delivery('text.json');
    body.entry.unshift(null, { changes: {} }, { changes: [null, { value: [] }] });
    expect((await post(body)).status).toBe(200);
    await runtime.settle();
    expect(runtime.received).toHaveLength(1);
  });

  it('answers every one of 340 mutated recorded deliveries below 500 (seeded)', async () => {
    const names = readdirSync(new URL('../fixtures/whatsapp/', import.meta.url)).filter((n) => n.endsWith('.json'));
    let answered = 0;
    for (const [i, name] of names.entries()) {
      for (const body of mutatedBodies(delivery(name), 20, 7_000 + i)) {
        const response = await post(body);
        answered += 1;
        expect(response.status, body.slice(0, 300)).toBeLessThan(500);
      }
    }
    await runtime.settle();
    expect(answered).toBe(names.length * 20);
    expect(errors()).toEqual([]);
  });
});
