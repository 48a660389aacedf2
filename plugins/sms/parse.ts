import { ValidationError } from '../../core/errors.ts';
import { type Attachment, conversationIdOf, type InboundMessage } from '../../core/types.ts';
import { CHANNEL } from './types.ts';

/**
 * Twilio's incoming-message webhook (twilio.com/docs/messaging/guides/webhook-request), form
 * encoded: `MessageSid` (= the deprecated `SmsSid`), `AccountSid`, `From`, `To`, `Body`,
 * `NumMedia` with `MediaUrl{N}`/`MediaContentType{N}`, `NumSegments`, `SmsStatus`, `ApiVersion`,
 * `OptOutType` (Advanced Opt-Out keywords) and geographic fields; unknown parameters are ignored.
 */
export type ParsedSms =
  | { kind: 'message'; message: InboundMessage }
  /** For another number or account (one Twilio project may serve several): skipped. */
  | { kind: 'foreign'; to: string; accountSid: string }
  /** STOP / START / HELP: Twilio itself answers these and blocks or unblocks the sender. */
  | { kind: 'opt-out'; conversationId: string; messageId: string; type: string };

export interface ParseOptions {
  accountSid: string;
  phoneNumber: string;
}

/** E.164: "+" then up to 15 digits. */
export const E164 = /^\+[1-9]\d{1,14}$/;
/** A Twilio message SID: SM… (SMS) or MM… (MMS), 34 characters in all. */
const MESSAGE_SID = /^(SM|MM)[0-9a-z]{32}$/i;
/** MMS attachments Twilio forwards at most. */
const MAX_MEDIA = 10;

function required(params: URLSearchParams, name: string): string {
  const value = params.get(name)?.trim();
  if (!value) throw new ValidationError(`${name} is missing`);
  return value;
}

function kindOf(mimeType: string): Attachment['kind'] {
  const type = mimeType.split('/')[0];
  return type === 'image' || type === 'audio' || type === 'video' ? type : 'document';
}

/** The MMS media (`MediaUrl{N}` is the channel's media reference, fetched with basic auth). */
function attachmentsOf(params: URLSearchParams): Attachment[] {
  const count = Math.min(MAX_MEDIA, Number.parseInt(params.get('NumMedia') ?? '0', 10) || 0);
  const attachments: Attachment[] = [];
  for (let i = 0; i < count; i++) {
    const url = params.get(`MediaUrl${i}`);
    if (!url) continue;
    const mimeType = params.get(`MediaContentType${i}`) ?? '';
    attachments.push({ kind: kindOf(mimeType), id: url, ...(mimeType ? { mimeType } : {}) });
  }
  return attachments;
}

/**
 * Parses one signed incoming-message webhook. Throws `ValidationError` when an identity field
 * (`MessageSid`, `AccountSid`, `From`, `To`) is missing or not of Twilio's form.
 */
export function parseSmsWebhook(params: URLSearchParams, opts: ParseOptions, now = Date.now()): ParsedSms {
  const messageId = params.get('MessageSid')?.trim() || required(params, 'SmsSid');
  if (!MESSAGE_SID.test(messageId)) throw new ValidationError('MessageSid is not a Twilio message SID');
  const accountSid = required(params, 'AccountSid');
  const to = required(params, 'To');
  const from = required(params, 'From');
  // One account may route several numbers (or a subaccount's) here: only ours is answered, from ours.
  if (to !== opts.phoneNumber || accountSid !== opts.accountSid) return { kind: 'foreign', to, accountSid };
  if (!E164.test(from)) throw new ValidationError('From must be an E.164 phone number');
  const conversationId = conversationIdOf(CHANNEL, from);
  const optOut = params.get('OptOutType')?.trim();
  if (optOut) return { kind: 'opt-out', conversationId, messageId, type: optOut.toUpperCase() };

  const body = params.get('Body') ?? '';
  const attachments = attachmentsOf(params);
  const message: InboundMessage = {
    id: messageId,
    channel: CHANNEL,
    conversationId,
    user: { id: from },
    ...(body.trim() ? { text: body } : {}),
    ...(attachments.length > 0 ? { attachments } : {}),
    // Twilio's webhook carries no timestamp: the time of arrival.
    receivedAt: new Date(now).toISOString(),
  };
  return { kind: 'message', message };
}
