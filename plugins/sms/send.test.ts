import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { classifyFailure, describeFailure } from '../../core/delivery/classify.ts';
import { RateLimitError, UpstreamError } from '../../core/errors.ts';
import { parseRetryAfter } from '../../core/http/retry-after.ts';
import { createLogger } from '../../core/log.ts';
import type { ChannelPlugin } from '../../core/plugin.ts';
import { smsFake } from '../../test/channels/fakes/sms.ts';
import { mountPlugin } from '../../test/contract/plugin-host.ts';
import { type PlatformServer, startPlatformServer } from '../../test/support/platform-server.ts';
import { createSmsPlugin } from './index.ts';

const ACCOUNT = 'AC3f9d1b2e7c4a8f6e5d0b9a1c2e3f4a5b';
const TOKEN = 'sms-auth-token';
const OURS = '+15017122661';
const USER = '+56912345678';
let platform: PlatformServer;

beforeAll(async () => {
  platform = await startPlatformServer([
    smsFake({ accountSid: ACCOUNT, authToken: TOKEN, phoneNumber: OURS, unsubscribed: ['+56900000002'] }),
  ]);
});
afterAll(() => platform.close());
beforeEach(() => platform.reset());

/** Every plugin a test creates holds an undici Agent: closed after the test. */
const created: ChannelPlugin[] = [];
afterEach(async () => {
  await Promise.all(created.splice(0).map((p) => p.close?.()));
});
const tracked = (plugin: ChannelPlugin): ChannelPlugin => {
  created.push(plugin);
  return plugin;
};

const plugin = (overrides: { authToken?: string; gsm7Fold?: boolean } = {}) =>
  tracked(
    createSmsPlugin(
      {
        accountSid: ACCOUNT,
        authToken: TOKEN,
        phoneNumber: OURS,
        apiUrl: platform.apiUrl('sms'),
        timeoutMs: 2000,
        ...overrides,
      },
      {},
    ),
  );

const failureOf = (promise: Promise<unknown>) => promise.then(() => null).catch((error: unknown) => error);

describe('SMS send (Twilio REST API)', () => {
  it('posts To, From and Body form-encoded to Messages.json with basic auth', async () => {
    await plugin().send({ conversationId: `sms:${USER}`, text: '¡Hola! ¿En qué te ayudo?' });
    const [request] = platform.requests;
    expect(request!.path).toBe(`/sms/2010-04-01/Accounts/${ACCOUNT}/Messages.json`);
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request!.headers.authorization).toBe(`Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}`);
    expect(request!.body).toEqual({ To: USER, From: OURS, Body: '¡Hola! ¿En qué te ayudo?' });
    expect(request!.status).toBe(201);
    expect(platform.sent('sms', USER).map((m) => m.text)).toEqual(['¡Hola! ¿En qué te ayudo?']);
  });

  it('sends a long text as several messages of at most 1,600 characters, resuming after the parts sent', async () => {
    const text = 'palabra '.repeat(500).trim();
    const delivered: number[] = [];
    await plugin().send({ conversationId: `sms:${USER}`, text }, { onPartSent: (n) => delivered.push(n) });
    const bodies = platform.sent('sms', USER).map((m) => m.text);
    expect(bodies).toHaveLength(3);
    expect(bodies.every((b) => b.length <= 1600)).toBe(true);
    expect(bodies.join(' ')).toBe(text);
    expect(delivered).toEqual([1, 2, 3]);

    platform.reset();
    await plugin().send({ conversationId: `sms:${USER}`, text }, { fromPart: 2 });
    expect(platform.sent('sms', USER).map((m) => m.text)).toEqual([bodies[2]]);
  });

  it('throws RateLimitError after Retry-After on 429 (20429)', async () => {
    platform.rateLimitNext('sms', 3);
    const error = await failureOf(plugin().send({ conversationId: `sms:${USER}`, text: 'Hola' }));
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(3000);
  });

  it('marks 5xx and network failures retryable', async () => {
    platform.failNext('sms', 503);
    expect(await failureOf(plugin().send({ conversationId: `sms:${USER}`, text: 'x' }))).toMatchObject({
      retryable: true,
      details: { upstreamStatus: 503 },
    });
    const unreachable = tracked(
      createSmsPlugin(
        { accountSid: ACCOUNT, authToken: TOKEN, phoneNumber: OURS, apiUrl: 'http://127.0.0.1:9', timeoutMs: 500 },
        {},
      ),
    );
    expect(await failureOf(unreachable.send({ conversationId: `sms:${USER}`, text: 'x' }))).toMatchObject({
      retryable: true,
    });
  });

  it('a Twilio that takes the request and does not answer in time: an unclear, permanent failure (never sent twice)', async () => {
    // Accepts the message, then holds its answer past the client's timeout (as a slow Twilio would).
    const held: import('node:http').ServerResponse[] = [];
    const slow = createServer((req, res) => {
      req.resume();
      held.push(res);
    });
    slow.listen(0, '127.0.0.1');
    await once(slow, 'listening');
    const apiUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
    try {
      const plugin = tracked(
        createSmsPlugin({ accountSid: ACCOUNT, authToken: TOKEN, phoneNumber: OURS, apiUrl, timeoutMs: 200 }, {}),
      );
      const error = await failureOf(plugin.send({ conversationId: `sms:${USER}`, text: 'Hola' }));
      expect(held).toHaveLength(1);
      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).toMatchObject({
        retryable: false,
        details: { outcome: 'unclear', networkCode: 'UND_ERR_HEADERS_TIMEOUT' },
      });
      expect(classifyFailure(error)).toEqual({ kind: 'permanent' });
      // The dead letter's reason tells the operator why it was not retried.
      expect(describeFailure(error).reason).toMatch(/may have been accepted.*check Twilio's message log/);
    } finally {
      slow.closeAllConnections();
      slow.close();
    }
  });

  it('sends StatusCallback = PUBLIC_URL/webhooks/sms/status once mounted, and logs segments and encoding', async () => {
    const logs: Record<string, unknown>[] = [];
    const sms = plugin();
    mountPlugin(sms, {
      env: { PUBLIC_URL: 'https://omnibot.example.com' },
      logger: createLogger('debug', {}, (line) => logs.push(JSON.parse(line))),
    });
    await sms.send({ conversationId: `sms:${USER}`, text: 'Crítica' });
    expect(platform.requests[0]!.body['StatusCallback']).toBe('https://omnibot.example.com/webhooks/sms/status');
    expect(logs.find((l) => l.msg === 'SMS accepted by Twilio')).toMatchObject({
      level: 'debug',
      conversationId: `sms:${USER}`,
      sid: expect.stringMatching(/^SM/),
      encoding: 'UCS-2',
      segments: 1,
    });
  });

  it('marks 21211 (invalid number), 21610 (unsubscribed) and 401 (credentials) permanent, with the platform code', async () => {
    const invalid = await failureOf(plugin().send({ conversationId: 'sms:+1', text: 'x' }));
    expect(invalid).toBeInstanceOf(UpstreamError);
    expect(invalid).toMatchObject({ retryable: false, details: { platformCode: 21211, upstreamStatus: 400 } });
    const stopped = await failureOf(plugin().send({ conversationId: 'sms:+56900000002', text: 'x' }));
    expect(stopped).toMatchObject({ retryable: false, details: { platformCode: 21610 } });
    const forged = await failureOf(plugin({ authToken: 'wrong' }).send({ conversationId: `sms:${USER}`, text: 'x' }));
    expect(forged).toMatchObject({ retryable: false, details: { platformCode: 20003, upstreamStatus: 401 } });
  });

  it('renders buttons as numbered options and folds accents only when SMS_GSM7_FOLD is on', async () => {
    const message = {
      conversationId: `sms:${USER}`,
      text: '¿Qué prioridad tiene?',
      buttons: [
        { id: 'priority:alta', title: 'Alta' },
        { id: 'priority:critica', title: 'Crítica' },
      ],
    };
    await plugin().send(message);
    await plugin({ gsm7Fold: true }).send(message);
    const [accented, folded] = platform.sent('sms', USER);
    expect(accented).toMatchObject({ form: 'numbered', text: '¿Qué prioridad tiene?' });
    expect(accented!.buttons.map((b) => b.title)).toEqual(['Alta', 'Crítica']);
    expect(folded!.request.body['Body']).toBe('¿Qué prioridad tiene?\n1. Alta\n2. Critica\nResponde 1 o 2.');
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter(undefined)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
  });
});
