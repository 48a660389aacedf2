import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RateLimitError, UpstreamError } from '../../core/errors.ts';
import { parseRetryAfter } from '../../core/http/retry-after.ts';
import { createLogger } from '../../core/log.ts';
import { whatsappFake } from '../../test/channels/fakes/whatsapp.ts';
import { mountPlugin } from '../../test/contract/plugin-host.ts';
import { type PlatformServer, startPlatformServer } from '../../test/support/platform-server.ts';
import { createWhatsAppPlugin } from './index.ts';

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

/** Mounted (on a fake host): its logger is the host's. */
const plugin = () => {
  const whatsapp = createWhatsAppPlugin({
    verifyToken: 'verify',
    appSecret: 'secret',
    token: 'wa-token',
    phoneNumberId: '106540352242922',
    apiUrl: platform.apiUrl('whatsapp'),
    timeoutMs: 2000,
  });
  mountPlugin(whatsapp, { logger: createLogger('debug', {}, (line) => logs.push(JSON.parse(line))) });
  return whatsapp;
};

describe('WhatsApp send', () => {
  it('posts to /{phone-number-id}/messages with the bearer token', async () => {
    await plugin().send({ conversationId: 'whatsapp:56912345678', text: 'Hola' });
    const [request] = platform.requests;
    expect(request!.path).toBe('/whatsapp/v23.0/106540352242922/messages');
    expect(request!.headers.authorization).toBe('Bearer wa-token');
    expect(platform.sent('whatsapp', '56912345678').map((m) => m.text)).toEqual(['Hola']);
  });

  it('throws RateLimitError with Retry-After on 429', async () => {
    platform.rateLimitNext('whatsapp', 3);
    const error = await plugin()
      .send({ conversationId: 'whatsapp:56912345678', text: 'Hola' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(3000);
  });

  it('marks 5xx retryable and 4xx not', async () => {
    platform.failNext('whatsapp', 503);
    const server = await plugin()
      .send({ conversationId: 'whatsapp:1', text: 'x' })
      .catch((e: unknown) => e);
    expect(server).toMatchObject({ retryable: true });
    platform.script('whatsapp', [{ status: 400, body: { error: { code: 100, message: 'Invalid parameter' } } }]);
    const client = await plugin()
      .send({ conversationId: 'whatsapp:1', text: 'x' })
      .catch((e: unknown) => e);
    expect(client).toBeInstanceOf(UpstreamError);
    expect(client).toMatchObject({ retryable: false, details: { platformCode: 100 } });
  });

  it('logs a closed 24-hour window clearly and does not mark it retryable', async () => {
    platform.script('whatsapp', [
      { status: 400, body: { error: { code: 131047, message: 'Re-engagement message', type: 'OAuthException' } } },
    ]);
    const error = await plugin()
      .send({ conversationId: 'whatsapp:56912345678', text: 'Tu OT fue cerrada' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ retryable: false, details: { platformCode: 131047 } });
    const line = logs.find((l) => String(l.msg).includes('24-hour window'));
    expect(line).toMatchObject({ level: 'error', to: '56912345678', platformCode: 131047 });
    expect(JSON.stringify(logs)).not.toContain('wa-token');
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
    const wa = plugin();
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
