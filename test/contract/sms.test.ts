import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import type { ChannelPlugin } from '../../core/plugin.ts';
import type { ConversationRuntime, TranscriptEntry } from '../../core/runtime/types.ts';
import type { OutboundMessage } from '../../core/types.ts';
import { createSmsPlugin } from '../../plugins/sms/index.ts';
import { signTwilioRequest } from '../../plugins/sms/verify.ts';
import { smsFake } from '../channels/fakes/sms.ts';
import { buttonsBehind } from '../channels/sms-user.ts';
import { runChannelContract } from './channel-contract.ts';
import { fixtureText } from './fixtures.ts';

const ACCOUNT_SID = 'AC3f9d1b2e7c4a8f6e5d0b9a1c2e3f4a5b';
const AUTH_TOKEN = 'contract-twilio-auth-token';
const OUR_NUMBER = '+15017122661';
const USER = '+56912345678';
/** `loadConfig({})`'s PUBLIC_URL, the host the harness mounts the plugin with: Twilio signs this URL. */
const WEBHOOK_URL = 'http://127.0.0.1:5001/webhooks/sms';

/**
 * What the plugin sent, with the button ids behind the numbers. The contract's fake runtime keeps no
 * transcript; the real one records every reply before it is sent, and the plugin reads the offered
 * options from it. This stand-in answers `transcript()` the same way from what was sent.
 */
const sent: OutboundMessage[] = [];

const transcriptOf = (conversationId: string, limit = 50): TranscriptEntry[] =>
  sent
    .filter((m) => m.conversationId === conversationId)
    .map((m) => ({
      conversationId,
      direction: 'out' as const,
      text: m.text,
      ...(m.buttons ? { buttons: m.buttons } : {}),
      at: '',
    }))
    .slice(-limit);

function withSentTranscript(plugin: ChannelPlugin): ChannelPlugin {
  sent.length = 0;
  return {
    ...plugin,
    mount(app, host) {
      const runtime: ConversationRuntime = Object.assign(Object.create(host.runtime), {
        transcript: async (conversationId: string, limit?: number) => transcriptOf(conversationId, limit),
      });
      plugin.mount(app, { ...host, runtime });
    },
    async send(message, options) {
      await plugin.send(message, options);
      sent.push(message);
    },
  };
}

/** A Twilio message SID per key: the same key is the same message. */
const sidOf = (key: string) => `SM${createHash('md5').update(key).digest('hex')}`;

const delivery = (text: string, key: string) => {
  const params = new URLSearchParams(fixtureText('sms', 'text.txt'));
  for (const name of ['MessageSid', 'SmsSid', 'SmsMessageSid']) params.set(name, sidOf(key));
  params.set('Body', text);
  return params.toString();
};

const webhook = (body: string, signature?: string) =>
  new Request(WEBHOOK_URL, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(signature ? { 'x-twilio-signature': signature } : {}),
    },
    body,
  });

const sign = (token: string, body: string) => signTwilioRequest(token, WEBHOOK_URL, new URLSearchParams(body));

runChannelContract({
  channel: 'sms',
  address: USER,
  createPlugin: (platform) =>
    withSentTranscript(
      createSmsPlugin(
        { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, phoneNumber: OUR_NUMBER, apiUrl: platform.apiUrl('sms') },
        {},
      ),
    ),
  fixtures: [
    {
      name: 'text.txt',
      body: fixtureText('sms', 'text.txt'),
      expected: { id: 'SM5e9c1f4b8a2d4c7e9f0a1b2c3d4e5f60', conversationId: `sms:${USER}`, text: 'reportar falla' },
    },
    {
      name: 'accented.txt',
      body: fixtureText('sms', 'accented.txt'),
      expected: { text: 'Fuga de aceite hidráulico en el brazo principal, ¿qué hago?', user: { id: USER } },
    },
    {
      name: 'mms.txt',
      body: fixtureText('sms', 'mms.txt'),
      expected: { text: 'Foto de la fuga en CAT-001', attachments: [expect.objectContaining({ kind: 'image' })] },
    },
  ],
  textDelivery: delivery,
  // The user answers with the option's number.
  pressDelivery: (button, key) => {
    const offered = sent.findLast((m) => m.buttons?.some((b) => b.id === button.id));
    const number = offered ? offered.buttons!.findIndex((b) => b.id === button.id) + 1 : 0;
    if (number === 0) throw new Error(`button ${button.id} was never offered`);
    return delivery(String(number), key);
  },
  request: (body) => webhook(body, sign(AUTH_TOKEN, body)),
  authentication: {
    scheme: 'X-Twilio-Signature',
    forged: (body) => webhook(body, sign('forged-token', body)),
    missing: (body) => webhook(body),
  },
  seen: ({ platform }) => platform.sent('sms', USER).map((m) => ({ ...m, buttons: buttonsBehind(m.buttons, sent) })),
  buttonForm: 'numbered',
  fake: smsFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, phoneNumber: OUR_NUMBER }),
});
