import { randomBytes } from 'node:crypto';
import { signTwilioRequest } from '../../../plugins/sms/verify.ts';
import type { PlatformFake, RecordedRequest, ScriptedResponse } from '../../support/platform-server.ts';

const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
const E164 = /^\+[1-9]\d{1,14}$/;

export interface SmsFakeOptions {
  /** When set with `authToken`, requests must carry basic auth `accountSid:authToken` (else 401, 20003). */
  accountSid?: string;
  authToken?: string;
  /** When set, only this `From` is served (else 400, 21606). */
  phoneNumber?: string;
  /** Recipients that texted STOP: sends to them fail with 400, 21610. */
  unsubscribed?: readonly string[];
}

/** Twilio's REST error body (twilio.com/docs/usage/twilios-response). */
const twilioError = (status: number, code: number, message: string, headers?: Record<string, string>) => ({
  status,
  ...(headers ? { headers } : {}),
  body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
});

/** What the fake refuses before sending, as Twilio does (invalid number, unsubscribed, too long). */
function refusal(body: Record<string, unknown>, options: SmsFakeOptions): ScriptedResponse | undefined {
  const to = String(body['To'] ?? '');
  const from = String(body['From'] ?? '');
  const text = String(body['Body'] ?? '');
  if (!E164.test(to)) return twilioError(400, 21211, `Invalid 'To' Phone Number: ${to}`);
  if (options.phoneNumber && from !== options.phoneNumber) {
    return twilioError(
      400,
      21606,
      `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`,
    );
  }
  if (!text) return twilioError(400, 21619, 'A text message body or media urls must be specified.');
  if (text.length > 1600)
    return twilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
  if (options.unsubscribed?.includes(to)) return twilioError(400, 21610, 'Attempt to send to unsubscribed recipient');
  return undefined;
}

/** "1. Baja" … "Responde 1, 2 o 3." (one option: "Responde 1 para elegirla."): numbered options under a text. */
function readOptions(body: string): { text: string; buttons: { id: string; title: string }[] } | null {
  const lines = body.split('\n');
  const prompt = /^Responde (\d+(?:, \d+)*(?: [ou] \d+)?)(?: para elegirla)?\.$/.exec(lines.at(-1) ?? '');
  if (!prompt) return null;
  const count = prompt[1]!.split(/, | [ou] /).length;
  const options = lines.slice(0, -1).slice(-count);
  const buttons = options.flatMap((line, i) => {
    const match = /^(\d+)\. (.+)$/.exec(line);
    return match && Number(match[1]) === i + 1 ? [{ id: match[1]!, title: match[2]! }] : [];
  });
  if (buttons.length !== count) return null;
  return { text: lines.slice(0, -1 - count).join('\n'), buttons };
}

/**
 * Twilio Programmable Messaging's send endpoint (`POST /2010-04-01/Accounts/{AccountSid}/Messages.json`,
 * form `To`, `From`, `Body`, basic auth) for `startPlatformServer`: answers 201 with the Message
 * resource (`sid` SM…, `status: queued`), 401 (20003) on wrong credentials, 400 on an invalid
 * number (21211), an unsubscribed recipient (21610), a wrong `From` (21606) or a body past 1,600
 * characters (21617), and 429 (20429) with `Retry-After` when rate limited. `seen` reads numbered
 * options back as buttons whose ids are their numbers (form `numbered`).
 */
export function smsFake(options: SmsFakeOptions = {}): PlatformFake {
  const expectedAuth =
    options.accountSid && options.authToken
      ? `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`
      : undefined;
  return {
    name: 'sms',
    sendOperation: 'messages',
    apiUrl: (root) => root,
    route({ path, headers, body }) {
      const match = MESSAGES_PATH.exec(path);
      if (!match) return null;
      const wrongAccount = options.accountSid !== undefined && match[1] !== options.accountSid;
      if (wrongAccount || (expectedAuth && headers.authorization !== expectedAuth)) {
        return { operation: 'messages', refused: twilioError(401, 20003, 'Authenticate') };
      }
      const refused = refusal(body, options);
      return refused ? { operation: 'messages', refused } : { operation: 'messages' };
    },
    success(_operation, { body }, nextId) {
      const sid = `SM${String(nextId()).padStart(8, '0')}${randomBytes(12).toString('hex')}`;
      const now = new Date().toUTCString();
      return {
        status: 201,
        body: {
          sid,
          account_sid: options.accountSid ?? 'AC00000000000000000000000000000000',
          to: body['To'],
          from: body['From'],
          body: body['Body'],
          status: 'queued',
          direction: 'outbound-api',
          api_version: '2010-04-01',
          num_media: '0',
          date_created: now,
          date_updated: now,
          error_code: null,
          error_message: null,
        },
      };
    },
    rateLimited: (retryAfterSeconds) =>
      twilioError(429, 20429, 'Too Many Requests', { 'retry-after': String(retryAfterSeconds) }),
    failure: (status) => twilioError(status, status >= 500 ? 20500 : 20001, 'Internal Server Error'),
    seen(request) {
      const address = String(request.body['To'] ?? '');
      const body = String(request.body['Body'] ?? '');
      const options = readOptions(body);
      return options
        ? { address, text: options.text, buttons: options.buttons, form: 'numbered' }
        : { address, text: body, buttons: [], form: 'text' };
    },
  };
}

export interface StatusCallbackOptions {
  /** The auth token Twilio signs with. */
  authToken: string;
  /** `failed`, `undelivered`, `sent`, `delivered`, … */
  status: string;
  /** Twilio's error code of a failed or undelivered message (30003 unreachable, 30005 unknown, …). */
  errorCode?: number;
}

/**
 * Twilio's status callback for a message the fake accepted: posted, signed, to the `StatusCallback`
 * URL the message was sent with (twilio.com/docs/messaging/guides/track-outbound-message-status).
 * The URL is the public one (PUBLIC_URL): the request goes to `gatewayUrl` + its path, as a proxy would.
 */
export function statusCallbackRequest(sent: RecordedRequest, gatewayUrl: string, opts: StatusCallbackOptions): Request {
  const callback = String(sent.body['StatusCallback'] ?? '');
  if (!callback) throw new Error('the message was sent without a StatusCallback');
  const message = sent.response as { sid: string; account_sid: string; from: string; to: string };
  const form = new URLSearchParams({
    AccountSid: message.account_sid,
    ApiVersion: '2010-04-01',
    From: message.from,
    MessageSid: message.sid,
    MessageStatus: opts.status,
    SmsSid: message.sid,
    SmsStatus: opts.status,
    To: message.to,
  });
  if (opts.errorCode !== undefined) form.set('ErrorCode', String(opts.errorCode));
  const target = new URL(callback);
  return new Request(`${gatewayUrl}${target.pathname}${target.search}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signTwilioRequest(opts.authToken, callback, form),
    },
    body: form.toString(),
  });
}
