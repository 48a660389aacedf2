import { describe, expect, it } from 'vitest';
import type { TranscriptEntry } from '../../core/runtime/types.ts';
import { createFakeRuntime } from '../../test/contract/fake-runtime.ts';
import { fixtureText } from '../../test/contract/fixtures.ts';
import { mountPlugin } from '../../test/contract/plugin-host.ts';
import { createSmsPlugin } from './index.ts';
import { signTwilioRequest } from './verify.ts';
import { EMPTY_TWIML } from './webhook.ts';

const TOKEN = 'sms-auth-token';
const PUBLIC_URL = 'https://bot.example.com';
const WEBHOOK = `${PUBLIC_URL}/webhooks/sms`;
const PRIORITIES = [
  { id: 'priority:baja', title: 'Baja' },
  { id: 'priority:media', title: 'Media' },
  { id: 'priority:alta', title: 'Alta' },
];

function setup(opts: { transcript?: TranscriptEntry[] | Error; unavailable?: boolean; maxBodyBytes?: string } = {}) {
  const runtime = createFakeRuntime({ reply: () => null, unavailable: () => opts.unavailable ?? false });
  runtime.transcript = async () => {
    if (opts.transcript instanceof Error) throw opts.transcript;
    return opts.transcript ?? [];
  };
  const plugin = createSmsPlugin(
    { accountSid: 'AC3f9d1b2e7c4a8f6e5d0b9a1c2e3f4a5b', authToken: TOKEN, phoneNumber: '+15017122661' },
    {},
  );
  const { app } = mountPlugin(plugin, {
    runtime,
    env: { PUBLIC_URL, ...(opts.maxBodyBytes ? { MAX_BODY_BYTES: opts.maxBodyBytes } : {}) },
  });
  const post = async (body: string, headers: Record<string, string> = {}, query = '') => {
    const response = await app.request(`http://10.0.0.7:5001/webhooks/sms${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });
    await runtime.settle();
    return response;
  };
  const signed = (body: string, query = '') =>
    post(body, { 'x-twilio-signature': signTwilioRequest(TOKEN, WEBHOOK + query, new URLSearchParams(body)) }, query);
  return { runtime, post, signed };
}

const withBody = (text: string) => {
  const params = new URLSearchParams(fixtureText('sms', 'option-reply.txt'));
  params.set('Body', text);
  return params.toString();
};

describe('POST /webhooks/sms', () => {
  it('answers a signed message at once with empty TwiML and hands it to the runtime', async () => {
    const { runtime, signed } = setup();
    const response = await signed(fixtureText('sms', 'text.txt'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/xml/);
    expect(await response.text()).toBe(EMPTY_TWIML);
    expect(runtime.received).toMatchObject([
      { id: 'SM5e9c1f4b8a2d4c7e9f0a1b2c3d4e5f60', conversationId: 'sms:+56912345678', text: 'reportar falla' },
    ]);
  });

  it('verifies the signature over PUBLIC_URL + path + query, not the address it was reached on', async () => {
    const { runtime, post, signed } = setup();
    const body = fixtureText('sms', 'text.txt');
    const params = new URLSearchParams(body);
    expect((await signed(body, '?site=norte')).status).toBe(200);
    const otherHost = signTwilioRequest(TOKEN, 'http://10.0.0.7:5001/webhooks/sms', params);
    const response = await post(body, { 'x-twilio-signature': otherHost });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'unauthorized' });
    const withoutQuery = signTwilioRequest(TOKEN, WEBHOOK, params);
    expect((await post(body, { 'x-twilio-signature': withoutQuery }, '?site=norte')).status).toBe(401);
    expect((await post(body)).status).toBe(401);
    expect(runtime.received).toHaveLength(1);
  });

  it('processes a redelivered MessageSid once', async () => {
    const { runtime, signed } = setup();
    const body = fixtureText('sms', 'text.txt');
    expect((await signed(body)).status).toBe(200);
    expect((await signed(body)).status).toBe(200);
    expect(runtime.received).toHaveLength(1);
  });

  it('skips, with 200, messages to another number and opt-out keywords (Twilio answers those)', async () => {
    const { runtime, signed } = setup();
    for (const name of ['foreign-number.txt', 'opt-out-stop.txt']) {
      const response = await signed(fixtureText('sms', name));
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(EMPTY_TWIML);
    }
    expect(runtime.received).toEqual([]);
  });

  it('a number answering the last offered options presses that button', async () => {
    const offer: TranscriptEntry[] = [
      { conversationId: 'sms:+56912345678', direction: 'out', text: '¿Qué prioridad?', buttons: PRIORITIES, at: '' },
    ];
    const { runtime, signed } = setup({ transcript: offer });
    await signed(fixtureText('sms', 'option-reply.txt'));
    expect(runtime.received[0]).toMatchObject({ text: '2', action: 'priority:media' });
  });

  it('a number out of range, or with no options offered, stays text', async () => {
    const offer: TranscriptEntry[] = [
      { conversationId: 'sms:+56912345678', direction: 'out', text: '¿Qué prioridad?', buttons: PRIORITIES, at: '' },
    ];
    const outOfRange = setup({ transcript: offer });
    await outOfRange.signed(withBody('7'));
    expect(outOfRange.runtime.received[0]).toMatchObject({ text: '7' });
    expect(outOfRange.runtime.received[0]).not.toHaveProperty('action');
    const noOffer = setup();
    await noOffer.signed(fixtureText('sms', 'option-reply.txt'));
    expect(noOffer.runtime.received[0]).toMatchObject({ text: '2' });
    expect(noOffer.runtime.received[0]).not.toHaveProperty('action');
  });

  it('when the offered options cannot be read, the number still reaches the assistant as text', async () => {
    const { runtime, signed } = setup({ transcript: new Error('store hiccup') });
    await signed(fixtureText('sms', 'option-reply.txt'));
    expect(runtime.received).toMatchObject([{ text: '2' }]);
    expect(runtime.received[0]).not.toHaveProperty('action');
  });

  it('refuses a signed delivery without its identity fields (400), a store that is down (503), a huge body (413)', async () => {
    const params = new URLSearchParams(fixtureText('sms', 'text.txt'));
    params.delete('From');
    expect((await setup().signed(params.toString())).status).toBe(400);
    expect((await setup({ unavailable: true }).signed(fixtureText('sms', 'text.txt'))).status).toBe(503);
    expect((await setup({ maxBodyBytes: '100' }).signed(fixtureText('sms', 'text.txt'))).status).toBe(413);
  });
});
