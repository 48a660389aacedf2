import type { Hono } from 'hono';
import { deliveryStatusHandler, type ReportedStatus } from '../../core/delivery/delivery-statuses.ts';
import type { LateFailure } from '../../core/delivery/types.ts';
import { ValidationError } from '../../core/errors.ts';
import { parseForm } from '../../core/http/read-json.ts';
import { mountWebhookRoute } from '../../core/http/webhook-route.ts';
import type { PluginHost } from '../../core/plugin.ts';
import { E164, MESSAGE_SID, type ParseOptions } from './parse.ts';
import type { TwilioSignatureCheck } from './signed-request.ts';
import { type SmsSettings, STATUS_PATH, smsConversationId } from './types.ts';

/**
 * Twilio's status callback (twilio.com/docs/messaging/guides/track-outbound-message-status): posted
 * to the `StatusCallback` URL sent with each message, form encoded, signed like the inbound webhook:
 * `MessageSid`, `MessageStatus` (queued, sending, sent, delivered, undelivered, failed, …),
 * `AccountSid`, `From`, `To`, and `ErrorCode` when it failed.
 */
export interface SmsStatus {
  conversationId: string;
  messageId: string;
  status: string;
  to: string;
  errorCode?: number;
}

/** Statuses that mean the carrier did not deliver the message Twilio accepted. */
const FAILED = new Set(['failed', 'undelivered']);

/** What the common delivery error codes mean (twilio.com/docs/api/errors), for the dead letter's reason. */
const ERROR_REASONS: Record<number, string> = {
  30001: 'queue overflow (sent faster than the number allows)',
  30002: 'account suspended',
  30003: 'unreachable destination handset (off or out of coverage)',
  30004: 'message blocked by the recipient or carrier',
  30005: 'unknown destination handset',
  30006: 'landline or unreachable carrier',
  30007: 'message filtered by the carrier',
  30008: 'unknown error from the carrier',
};

/** Parses one signed status callback; null for another number or account. Throws `ValidationError`. */
export function parseStatusCallback(params: URLSearchParams, opts: ParseOptions): SmsStatus | null {
  const messageId = params.get('MessageSid')?.trim() || params.get('SmsSid')?.trim() || '';
  if (!MESSAGE_SID.test(messageId)) throw new ValidationError('MessageSid is missing or not a Twilio message SID');
  const status = (params.get('MessageStatus') ?? params.get('SmsStatus') ?? '').trim().toLowerCase();
  if (!/^[a-z_-]{1,40}$/.test(status)) throw new ValidationError('MessageStatus is missing');
  if (params.get('AccountSid') !== opts.accountSid || params.get('From') !== opts.phoneNumber) return null;
  const to = params.get('To')?.trim() ?? '';
  if (!E164.test(to)) throw new ValidationError('To must be an E.164 phone number');
  const errorCode = Number.parseInt(params.get('ErrorCode') ?? '', 10);
  return {
    conversationId: smsConversationId(to),
    messageId,
    status,
    to,
    ...(Number.isFinite(errorCode) && errorCode > 0 ? { errorCode } : {}),
  };
}

/** The dead letter's description of a failed or undelivered status. */
export function failureOf(status: SmsStatus): Omit<LateFailure, 'partsSent'> {
  const meaning = status.errorCode === undefined ? undefined : ERROR_REASONS[status.errorCode];
  const code = status.errorCode === undefined ? '' : ` ${status.errorCode}`;
  return {
    code: 'delivery_failed',
    ...(status.errorCode !== undefined ? { platformCode: status.errorCode } : {}),
    reason: `Twilio reports the SMS ${status.status}${code}${meaning ? `: ${meaning}` : ''}`,
    // The carrier already retried; a resend is an operator's decision (admin API), as on WhatsApp.
    retryable: false,
  };
}

export interface StatusDeps {
  settings: SmsSettings;
  host: PluginHost;
  /** The signature check of `STATUS_PATH` (signed-request.ts). */
  verify: TwilioSignatureCheck;
  /** Dead-letters the message a failed status is about; false when this process did not send it. */
  reportFailed(sid: string, failure: Omit<LateFailure, 'partsSent'>): Promise<boolean>;
}

/** The status as the conversation's event log keeps it, and the dead letter's failure when it is one. */
function reportedOf(status: SmsStatus): ReportedStatus {
  return {
    conversationId: status.conversationId,
    status: {
      messageId: status.messageId,
      status: status.status,
      at: new Date().toISOString(),
      recipientId: status.to,
      ...(status.errorCode !== undefined ? { errors: [{ code: status.errorCode }] } : {}),
    },
    ...(FAILED.has(status.status) ? { failure: failureOf(status) } : {}),
  };
}

/** `POST /webhooks/sms/status`: statuses recorded once in the conversation's log; failures dead-lettered. */
export function mountStatusCallback(app: Hono, deps: StatusDeps): void {
  const { settings, host } = deps;
  const { logger } = host;
  // Twilio posts each status once per change, and retries on connection failures.
  const handle = deliveryStatusHandler({
    platform: 'Twilio',
    runtime: host.runtime,
    logger,
    reportFailed: deps.reportFailed,
  });

  mountWebhookRoute<SmsStatus | null>(app, {
    path: STATUS_PATH,
    host,
    verify: deps.verify,
    parse: (raw) => parseStatusCallback(parseForm(raw), settings),
    // No store probe: Twilio does not redeliver a status answered 5xx either.
    receive: (status) => ({ messages: [], ...(status ? { alongside: () => handle(reportedOf(status)) } : {}) }),
    respond: (c) => c.body(null, 204),
  });
}
