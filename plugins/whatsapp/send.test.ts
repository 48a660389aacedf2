import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RateLimitError, UpstreamError } from '../../core/errors.ts';
import { parseRetryAfter } from '../../core/http/retry-after.ts';
import { createLogger } from '../../core/log.ts';
import { OUTSIDE_WINDOW_ERROR, whatsappFake } from '../../test/channels/fakes/whatsapp.ts';
import { mountPlugin } from '../../test/contract/plugin-host.ts';
import { type PlatformServer, startPlatformServer } from '../../test/support/platform-server.ts';
import { createWhatsAppPlugin } from './index.ts';
import { windowsOf } from './outbound.ts';
import { renderWhatsApp } from './render.ts';
import { createWhatsAppClient, OutsideWindowError } from './send.ts';

let platform: PlatformServer;
const logs: Record<string, unknown>[] = [];

beforeAll(async () => {
  platform = await startPlatformServer([whatsappFake({ token: 'wa-token', phoneNumberId: '106540352242922' })]);
});
afterAll(() => platform.close());
beforeEach(() => {
  platform.reset();
  logs.length = 0;
});

/** Mounted (on a fake host): its logger is the host's; both users wrote a minute ago (their windows are open). */
const plugin = async () => {
  const whatsapp = createWhatsAppPlugin({
    verifyToken: 'verify',
    appSecret: 'secret',
    token: 'wa-token',
    phoneNumberId: '106540352242922',
    apiUrl: platform.apiUrl('whatsapp'),
    timeoutMs: 2000,
  });
  const { host } = mountPlugin(whatsapp, { logger: createLogger('debug', {}, (line) => logs.push(JSON.parse(line))) });
  for (const address of ['56912345678', '1']) await windowsOf(host).opened(address, Date.now() - 60_000);
  return whatsapp;
};

describe('WhatsApp send', () => {
  it('posts to /{phone-number-id}/messages with the bearer token', async () => {
    await (await plugin()).send({ conversationId: 'whatsapp:56912345678', text: 'Hola' });
    const [request] = platform.requests;
    expect(request!.path).toBe('/whatsapp/v23.0/106540352242922/messages');
    expect(request!.headers.authorization).toBe('Bearer wa-token');
    expect(platform.sent('whatsapp', '56912345678').map((m) => m.text)).toEqual(['Hola']);
  });

  it('throws RateLimitError with Retry-After on 429', async () => {
    platform.rateLimitNext('whatsapp', 3);
    const error = await (await plugin())
      .send({ conversationId: 'whatsapp:56912345678', text: 'Hola' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(3000);
  });

  it('marks 5xx retryable and 4xx not', async () => {
    platform.failNext('whatsapp', 503);
    const server = await (await plugin()).send({ conversationId: 'whatsapp:1', text: 'x' }).catch((e: unknown) => e);
    expect(server).toMatchObject({ retryable: true });
    platform.script('whatsapp', [{ status: 400, body: { error: { code: 100, message: 'Invalid parameter' } } }]);
    const client = await (await plugin()).send({ conversationId: 'whatsapp:1', text: 'x' }).catch((e: unknown) => e);
    expect(client).toBeInstanceOf(UpstreamError);
    expect(client).toMatchObject({ retryable: false, details: { platformCode: 100 } });
  });

  it('without a template, holds a free-form message WhatsApp refuses with 131047 instead of failing it', async () => {
    platform.script('whatsapp', [
      { status: 400, body: { error: { code: 131047, message: 'Re-engagement message', type: 'OAuthException' } } },
    ]);
    // Accepted for the dispatcher: kept for when the user writes again, not retried, not dead-lettered.
    await (await plugin()).send({ conversationId: 'whatsapp:56912345678', text: 'Tu OT fue cerrada' });
    expect(platform.requests.map((r) => r.status)).toEqual([400]);
    expect(logs.find((l) => l.msg === 'WhatsApp message held until the user writes again')).toMatchObject({
      level: 'info',
      conversationId: 'whatsapp:56912345678',
      reason: 'refused (131047)',
      held: 1,
    });
    expect(JSON.stringify(logs)).not.toContain('wa-token');
  });

  it('maps 131047 to a not-retryable OutsideWindowError', async () => {
    platform.script('whatsapp', [{ status: 400, body: OUTSIDE_WINDOW_ERROR }]);
    const client = createWhatsAppClient({
      verifyToken: 'v',
      appSecret: 's',
      token: 'wa-token',
      phoneNumberId: '106540352242922',
      apiUrl: platform.apiUrl('whatsapp'),
      timeoutMs: 2000,
    });
    const payload = renderWhatsApp({ conversationId: 'whatsapp:56912345678', text: 'Hola' })[0]!;
    const error = await client.post(payload).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutsideWindowError);
    expect(error).toMatchObject({ retryable: false, details: { platformCode: 131047, upstreamStatus: 400 } });
    await client.close();
  });

  it('reports an unreachable API as retryable', async () => {
    const offline = createWhatsAppPlugin({
      verifyToken: 'v',
      appSecret: 's',
      token: 't',
      phoneNumberId: '1',
      apiUrl: 'http://127.0.0.1:9',
      timeoutMs: 500,
    });
    await expect(offline.send({ conversationId: 'whatsapp:1', text: 'x' })).rejects.toMatchObject({
      upstream: 'whatsapp',
      retryable: true,
    });
  });

  it('resumes a split message after the parts already accepted', async () => {
    const wa = await plugin();
    const message = { conversationId: 'whatsapp:56912345678', text: 'Parte del informe. '.repeat(400) };
    platform.script('whatsapp', [{ status: 200, body: { messages: [{ id: 'wamid.1' }] } }, { status: 500 }]);
    // The dispatcher keeps the count (in the queue and in dead letters) and passes it back.
    let partsSent = 0;
    const onPartSent = (n: number) => {
      partsSent = n;
    };
    await expect(wa.send(message, { fromPart: partsSent, onPartSent })).rejects.toBeInstanceOf(UpstreamError);
    expect(partsSent).toBe(1);
    await wa.send(message, { fromPart: partsSent, onPartSent });
    const bodies = platform.requests.map((r) => (r.body as { text: { body: string } }).text.body);
    // part 1 accepted, part 2 refused then accepted: never part 1 twice.
    expect(bodies[1]).toBe(bodies[2]);
    expect(new Set(bodies).size).toBe(2);
  });

  it('parses Retry-After as seconds or a date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter(undefined)).toBeNull();
  });
});

describe('WhatsApp plugin options', () => {
  it('fails fast naming every missing variable', () => {
    expect(() => createWhatsAppPlugin({ verifyToken: 'v', apiUrl: 'http://x' })).toThrow(
      'WhatsApp channel: missing WHATSAPP_APP_SECRET, WHATSAPP_TOKEN, WHATSAPP_PHONE_NUMBER_ID',
    );
  });
});
