import type { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/log.ts';
import { READ_OPERATION, readCalls, whatsappFake } from '../../test/channels/fakes/whatsapp.ts';
import { createFakeRuntime, type FakeRuntime } from '../../test/contract/fake-runtime.ts';
import { fixture, fixtureText } from '../../test/contract/fixtures.ts';
import { mountPlugin } from '../../test/contract/plugin-host.ts';
import { type PlatformServer, startPlatformServer } from '../../test/support/platform-server.ts';
import { createWhatsAppPlugin, UNSUPPORTED_NOTICE } from './index.ts';
import { signWhatsAppBody } from './verify.ts';

const SECRET = 'meta-app-secret';
const nowSeconds = () => Math.floor(Date.now() / 1000);
// biome-ignore lint/suspicious/noExplicitAny: recorded payloads, read field by field
type Delivery = Record<string, any>;
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
    phoneNumberId: '106540352242922',
    apiUrl: platform.apiUrl('whatsapp'),
  });
  runtime = createFakeRuntime({ reply: () => null });
  ({ app } = mountPlugin(plugin, { runtime, logger, env: { MAX_BODY_BYTES: '65536' } }));
});

const post = (body: string, signature: string | null = signWhatsAppBody(SECRET, body)) =>
  app.request('/webhooks/whatsapp', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature ? { 'x-hub-signature-256': signature } : {}) },
    body,
  });

describe('GET /webhooks/whatsapp', () => {
  it('answers the handshake with the challenge as plain text', async () => {
    const res = await app.request(
      '/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444',
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('1158201444');
  });

  it('refuses a wrong verify token with 403', async () => {
    const res = await app.request('/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1');
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'forbidden' });
  });
});

describe('POST /webhooks/whatsapp', () => {
  it('answers 200 and hands the message to the runtime', async () => {
    const res = await post(fixtureText('whatsapp', 'text.json'));
    expect(res.status).toBe(200);
    await runtime.settle();
    expect(runtime.received.map((m) => [m.conversationId, m.text])).toEqual([
      ['whatsapp:56912345678', 'consultar estado de OT-CORR-1 🙏'],
    ]);
  });

  it('marks each user message read with the typing indicator (not statuses), once per wamid', async () => {
    for (const name of ['text.json', 'interactive-button-reply.json', 'image.json', 'status-read.json']) {
      expect((await post(fixtureText('whatsapp', name))).status).toBe(200);
    }
    await post(fixtureText('whatsapp', 'text.json'));
    await runtime.settle();
    const wamids = ['text.json', 'interactive-button-reply.json', 'image.json'].map(
      (name) => fixture<Delivery>('whatsapp', name).entry[0].changes[0].value.messages[0].id,
    );
    expect(readCalls(platform).map((r) => r.body)).toEqual(
      wamids.map((wamid) => ({
        messaging_product: 'whatsapp',
        status: 'read',
        message_id: wamid,
        typing_indicator: { type: 'text' },
      })),
    );
    expect(readCalls(platform)[0]!.path).toBe('/whatsapp/v23.0/106540352242922/messages');
  });

  it('hands the message over even when the read receipt fails (logged, not retried)', async () => {
    platform.script('whatsapp', [{ status: 500 }], READ_OPERATION);
    expect((await post(fixtureText('whatsapp', 'text.json'))).status).toBe(200);
    await runtime.settle();
    expect(runtime.received).toHaveLength(1);
    expect(readCalls(platform).map((r) => r.status)).toEqual([500]);
    expect(logs.find((l) => l.msg === 'WhatsApp read receipt and typing indicator refused')).toMatchObject({
      level: 'warn',
      messageId: runtime.received[0]!.id,
    });
  });

  it('rejects a missing or wrong signature with 401 and processes nothing', async () => {
    const body = fixtureText('whatsapp', 'text.json');
    const missing = await post(body, null);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ error: 'unauthorized', message: 'X-Hub-Signature-256 is missing' });
    const wrong = await post(body, signWhatsAppBody('not-the-secret', body));
    expect(wrong.status).toBe(401);
    const tampered = await post(body.replace('OT-CORR-1', 'OT-CORR-2'), signWhatsAppBody(SECRET, body));
    expect(tampered.status).toBe(401);
    await runtime.settle();
    expect(runtime.received).toEqual([]);
    // Anyone can post forged requests: at most one warning a minute, counting the ones it skipped.
    expect(logs.filter((l) => l.msg === 'WhatsApp webhook signature rejected')).toMatchObject([
      { hasSignature: false, rejectedSinceLastWarning: 0 },
    ]);
  });

  it('answers 400 with a reason for bad JSON or a foreign shape', async () => {
    const bad = await post('{"object":');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_request', message: 'body is not valid JSON' });
    const foreign = await post(JSON.stringify({ object: 'instagram', entry: [] }));
    expect(foreign.status).toBe(400);
    expect(await foreign.json()).toMatchObject({ message: 'object must be "whatsapp_business_account"' });
    expect(logs.some((l) => l.msg === 'WhatsApp webhook payload rejected')).toBe(true);
  });

  it('answers 413 for a body over MAX_BODY_BYTES', async () => {
    const res = await post(JSON.stringify({ object: 'whatsapp_business_account', entry: [], pad: 'x'.repeat(70_000) }));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: 'payload_too_large' });
  });

  it('processes every message of a batched delivery and records the statuses', async () => {
    await post(fixtureText('whatsapp', 'batch.json'));
    await runtime.settle();
    expect(runtime.received.map((m) => m.user.name)).toEqual(['Juan Pérez', 'María Soto']);
    expect(runtime.statuses).toMatchObject([{ conversationId: 'whatsapp:56912345678', status: { status: 'read' } }]);
  });

  it('records statuses without treating them as user messages', async () => {
    for (const name of ['status-sent.json', 'status-delivered.json', 'status-read.json', 'status-failed.json']) {
      expect((await post(fixtureText('whatsapp', name))).status).toBe(200);
    }
    await runtime.settle();
    expect(runtime.received).toEqual([]);
    expect(runtime.statuses.map((s) => s.status.status)).toEqual(['sent', 'delivered', 'read', 'failed']);
  });

  it('answers an unknown message type politely in Spanish, once per message', async () => {
    // Written now: the answer goes inside the 24-hour window.
    const body = fixtureText('whatsapp', 'unsupported.json').replace(
      /"timestamp": "\d+"/,
      `"timestamp": "${nowSeconds()}"`,
    );
    await post(body);
    await post(body);
    await runtime.settle();
    expect(runtime.received).toEqual([]);
    expect(platform.sent('whatsapp', '56912345678').map((m) => m.text)).toEqual([UNSUPPORTED_NOTICE]);
  });

  it('does not answer a reaction or a system message', async () => {
    const reaction = fixtureText('whatsapp', 'reaction.json');
    const system = JSON.parse(fixtureText('whatsapp', 'unsupported.json'));
    system.entry[0].changes[0].value.messages[0] = {
      from: '56912345678',
      id: 'wamid.system-1',
      timestamp: '1749416383',
      type: 'system',
      system: { body: 'User A changed from +56 9 1234 5678 to +56 9 8765 4321', type: 'user_changed_number' },
    };
    expect((await post(reaction)).status).toBe(200);
    expect((await post(JSON.stringify(system))).status).toBe(200);
    await runtime.settle();
    expect(runtime.received).toEqual([]);
    expect(platform.requests).toEqual([]);
    expect(logs.filter((l) => l.msg === 'WhatsApp message ignored (not a question to the assistant)')).toMatchObject([
      { type: 'reaction', level: 'debug' },
      { type: 'system', level: 'debug' },
    ]);
  });

  it('skips (and logs) deliveries for another phone number of the business account', async () => {
    const body = JSON.parse(fixtureText('whatsapp', 'text.json'));
    body.entry[0].changes[0].value.metadata.phone_number_id = '999000111222';
    expect((await post(JSON.stringify(body))).status).toBe(200);
    await runtime.settle();
    expect(runtime.received).toEqual([]);
    expect(logs.find((l) => l.msg === 'WhatsApp webhook changes for another phone number skipped')).toMatchObject({
      level: 'info',
      phoneNumberIds: ['999000111222'],
    });
  });

  it('records a status Meta sends twice once', async () => {
    const body = fixtureText('whatsapp', 'status-read.json');
    await post(body);
    await post(body);
    await post(fixtureText('whatsapp', 'status-delivered.json'));
    await runtime.settle();
    expect(runtime.statuses.map((s) => s.status.status)).toEqual(['read', 'delivered']);
  });

  it('answers 503 while the store is down, so that Meta delivers again, and 200 once it is back', async () => {
    let down = true;
    runtime = createFakeRuntime({ reply: () => null, unavailable: () => down });
    const logger = createLogger('debug', {}, (line) => logs.push(JSON.parse(line)));
    const plugin = createWhatsAppPlugin({
      verifyToken: 'v',
      appSecret: SECRET,
      token: 't',
      phoneNumberId: '106540352242922',
      apiUrl: platform.apiUrl('whatsapp'),
    });
    ({ app } = mountPlugin(plugin, { runtime, logger }));
    const body = fixtureText('whatsapp', 'text.json');
    const refused = await post(body);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: 'unavailable' });
    await runtime.settle();
    expect(runtime.received).toEqual([]);
    down = false;
    expect((await post(body)).status).toBe(200);
    await runtime.settle();
    expect(runtime.received.map((m) => m.text)).toEqual(['consultar estado de OT-CORR-1 🙏']);
  });

  it('keeps retrying a message the store refuses after the 200, and processes it once the store is back', async () => {
    let failures = 4;
    runtime = createFakeRuntime({ reply: () => null, fail: () => failures-- > 0 });
    const logger = createLogger('debug', {}, (line) => logs.push(JSON.parse(line)));
    const plugin = createWhatsAppPlugin({
      verifyToken: 'v',
      appSecret: SECRET,
      token: 't',
      phoneNumberId: '106540352242922',
      apiUrl: platform.apiUrl('whatsapp'),
    });
    ({ app } = mountPlugin(plugin, { runtime, logger }));
    expect((await post(fixtureText('whatsapp', 'text.json'))).status).toBe(200);
    await runtime.settle();
    expect(runtime.received.map((m) => m.conversationId)).toEqual(['whatsapp:56912345678']);
    expect(logs.filter((l) => l.msg === 'inbound message failed: retrying')).toHaveLength(4);
    expect(logs.some((l) => l.msg === 'inbound message could not be processed')).toBe(false);
    await plugin.close?.();
  });
});
