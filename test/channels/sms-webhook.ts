/**
 * The SMS webhook mounted on a fake host, for the plugin's webhook tests: signed posts of Twilio's
 * incoming-message form (`PUBLIC_URL/webhooks/sms` is the signed URL), logs captured, short retries.
 */
import { createLogger } from '../../core/log.ts';
import type { TranscriptEntry } from '../../core/runtime/types.ts';
import type { InboundMessage } from '../../core/types.ts';
import { createSmsPlugin } from '../../plugins/sms/index.ts';
import { signTwilioRequest } from '../../plugins/sms/verify.ts';
import { createFakeRuntime } from '../contract/fake-runtime.ts';
import { fixtureText } from '../contract/fixtures.ts';
import { mountPlugin } from '../contract/plugin-host.ts';

export const TOKEN = 'sms-auth-token';
const PUBLIC_URL = 'https://bot.example.com';
export const WEBHOOK = `${PUBLIC_URL}/webhooks/sms`;
export const PRIORITIES = [
  { id: 'priority:baja', title: 'Baja' },
  { id: 'priority:media', title: 'Media' },
  { id: 'priority:alta', title: 'Alta' },
];

export interface SetupOptions {
  /** The transcript the offered options are read from; a function is asked on each read (it may throw). */
  transcript?: TranscriptEntry[] | Error | (() => TranscriptEntry[]);
  unavailable?: () => boolean;
  fail?: () => boolean;
  maxBodyBytes?: string;
  /** The turn's own work in the fake runtime (e.g. writing the transcript), one at a time per conversation. */
  turn?: (message: InboundMessage) => Promise<void>;
}

export function smsWebhookSetup(opts: SetupOptions = {}) {
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger('debug', {}, (line) => logs.push(JSON.parse(line)));
  const runtime = createFakeRuntime({
    reply: () => null,
    ...(opts.unavailable ? { unavailable: opts.unavailable } : {}),
    ...(opts.fail ? { fail: opts.fail } : {}),
    ...(opts.turn ? { turn: opts.turn } : {}),
  });
  runtime.transcript = async () => {
    if (opts.transcript instanceof Error) throw opts.transcript;
    if (typeof opts.transcript === 'function') return opts.transcript();
    return opts.transcript ?? [];
  };
  const plugin = createSmsPlugin(
    {
      accountSid: 'AC3f9d1b2e7c4a8f6e5d0b9a1c2e3f4a5b',
      authToken: TOKEN,
      phoneNumber: '+15017122661',
      inboundRetryDelaysMs: [5, 5, 5, 5, 5],
    },
    {},
  );
  const { app } = mountPlugin(plugin, {
    runtime,
    logger,
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
  return { runtime, post, signed, logs, app };
}

export const withBody = (text: string, sid?: string) => {
  const params = new URLSearchParams(fixtureText('sms', 'option-reply.txt'));
  params.set('Body', text);
  if (sid) for (const name of ['MessageSid', 'SmsSid', 'SmsMessageSid']) params.set(name, sid);
  return params.toString();
};
