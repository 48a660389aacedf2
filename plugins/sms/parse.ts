import { ValidationError } from '../../core/errors.ts';
import type { Attachment, InboundMessage } from '../../core/types.ts';
import { CHANNEL, smsConversationId } from './types.ts';

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
  /**
   * STOP / START / HELP (`OptOutType` with Advanced Opt-Out, else one of Twilio's default keywords):
   * Twilio itself answers these and blocks or unblocks the sender.
   */
  | { kind: 'opt-out'; conversationId: string; messageId: string; type: string };

export interface ParseOptions {
  accountSid: string;
  phoneNumber: string;
}

/** E.164: "+" then up to 15 digits. */
export const E164 = /^\+[1-9]\d{1,14}$/;
/** A Twilio message SID: SM… (SMS) or MM… (MMS), 34 characters in all. */
export const MESSAGE_SID = /^(SM|MM)[0-9a-z]{32}$/i;
/**
 * Twilio's default opt-out, opt-in and help keywords (help.twilio.com, "Twilio support for opt-out
 * keywords"): a body that is exactly one of them (trimmed, any case) is answered by Twilio itself,
 * also without Advanced Opt-Out (which sets `OptOutType`). Note: "cancel" is one, "cancelar" is not.
 */
const DEFAULT_KEYWORDS: Record<string, 'STOP' | 'START' | 'HELP'> = {
  STOP: 'STOP',
  STOPALL: 'STOP',
  UNSUBSCRIBE: 'STOP',
  CANCEL: 'STOP',
  END: 'STOP',
  QUIT: 'STOP',
  START: 'START',
  YES: 'START',
  UNSTOP: 'START',
  HELP: 'HELP',
  INFO: 'HELP',
};

/** The opt-out type of a delivery: Advanced Opt-Out's `OptOutType`, else a default keyword's; null for a message. */
function optOutOf(params: URLSearchParams): string | null {
  const type = params.get('OptOutType')?.trim();
  if (type) return type.toUpperCase();
  const keyword = (params.get('Body') ?? '').trim().toUpperCase();
  return Object.hasOwn(DEFAULT_KEYWORDS, keyword) ? DEFAULT_KEYWORDS[keyword]! : null;
}

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
  const conversationId = smsConversationId(from);
  const optOut = optOutOf(params);
  if (optOut) return { kind: 'opt-out', conversationId, messageId, type: optOut };

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
