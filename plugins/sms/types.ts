import type { ChannelLimits } from '../../core/delivery/types.ts';
import { conversationIdOf } from '../../core/types.ts';

export const CHANNEL = 'sms';
export const WEBHOOK_PATH = '/webhooks/sms';
/** Where Twilio posts the statuses of the messages we send (`StatusCallback`). */
export const STATUS_PATH = '/webhooks/sms/status';

/** The conversation of a phone number (E.164): `sms:+56912345678`. */
export const smsConversationId = (number: string): string => conversationIdOf(CHANNEL, number);
export const DEFAULT_API_URL = 'https://api.twilio.com';

/** The environment variables of the channel (README, "SMS (Twilio)"). */
export const ENV = {
  accountSid: 'TWILIO_ACCOUNT_SID',
  authToken: 'TWILIO_AUTH_TOKEN',
  phoneNumber: 'TWILIO_PHONE_NUMBER',
  apiUrl: 'TWILIO_API_URL',
  gsm7Fold: 'SMS_GSM7_FOLD',
} as const;

/** Twilio Programmable Messaging limits (twilio.com/docs/messaging/api/message-resource). */
export const LIMITS = {
  /** `Body` holds at most 1,600 characters (error 21617 past it). */
  body: 1600,
  /** Options are answered with a number: 1 to 10 keeps every answer one or two digits. */
  options: 10,
  /** Not a platform limit: long option titles are cut so the list stays compact. */
  optionTitle: 40,
} as const;

/**
 * Pacing. Per recipient 1 msg/s with a burst of 3, like the other channels, so a turn's 2–3 replies
 * go out at once and in order. Over the number the budget is loose on purpose: Twilio queues what
 * exceeds the sender's throughput itself (long code ~1 segment/s, toll-free and short codes more),
 * counting segments, which a bucket of API calls cannot; a tight global bucket only delayed every
 * user's reply behind the others'. It keeps the REST calls well under the account's concurrency
 * limit (20429 is still handled as a rate limit).
 */
export const PACING: ChannelLimits = {
  perChat: { burst: 3, perSecond: 1 },
  global: { burst: 20, perSecond: 10 },
};

/** Twilio REST error codes (twilio.com/docs/api/errors) the client treats specially. */
export const TWILIO_ERRORS = {
  tooManyRequests: 20429,
  invalidToNumber: 21211,
  unsubscribedRecipient: 21610,
} as const;

/** The channel's settings; each one left out is read from its variable (`ENV`). */
export interface SmsPluginOptions {
  /** `TWILIO_ACCOUNT_SID` (`AC…`). */
  accountSid?: string;
  /** `TWILIO_AUTH_TOKEN`: basic-auth password of the REST API and the webhook signing key. */
  authToken?: string;
  /** `TWILIO_PHONE_NUMBER` in E.164 (`+56…`): the `From` of replies and the only `To` answered. */
  phoneNumber?: string;
  /** `TWILIO_API_URL`, default `https://api.twilio.com`. */
  apiUrl?: string;
  /**
   * `SMS_GSM7_FOLD`: replace the letters GSM-7 lacks (á í ó ú Á Í Ó Ú …) by their plain forms so a
   * reply costs GSM-7 segments (160/153 characters) instead of UCS-2 ones (70/67). Off by default:
   * Spanish stays correctly written; é, ñ, ü, ¿ and ¡ are GSM-7 and are never folded.
   */
  gsm7Fold?: boolean;
  /** Timeout of one REST call (connect, headers and body each). Default 10 s. */
  timeoutMs?: number;
  /** Outbound pacing; default `PACING`. */
  pacing?: ChannelLimits;
  /** Waits between attempts of an inbound SMS while the store fails; default about 5 minutes in all (tests: shorter). */
  inboundRetryDelaysMs?: readonly number[];
}

export interface SmsSettings {
  accountSid: string;
  authToken: string;
  phoneNumber: string;
  apiUrl: string;
  gsm7Fold: boolean;
  timeoutMs: number;
}
