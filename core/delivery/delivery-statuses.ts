import type { Logger } from '../log.ts';
import type { ConversationRuntime, DeliveryStatus } from '../runtime/types.ts';
import { recentIds } from './recent-ids.ts';
import type { LateFailure } from './types.ts';

/** Platforms resend statuses (Meta for days, Twilio on connection failures): each one is handled once per process, the most recent. */
const REMEMBERED_STATUSES = 5_000;

/** One delivery status a platform reported about a message the gateway sent. */
export interface ReportedStatus {
  conversationId: string;
  status: DeliveryStatus;
  /** Set when the status means the message was not delivered (WhatsApp `failed`, Twilio `undelivered`): dead-lettered. */
  failure?: Omit<LateFailure, 'partsSent'>;
}

export interface DeliveryStatusDeps {
  /** The platform that reports, named in the log messages ("WhatsApp", "Twilio"). */
  platform: string;
  runtime: Pick<ConversationRuntime, 'recordDeliveryStatus'>;
  logger: Logger;
  /** Dead-letters the message a failure is about (core/delivery/sent-parts.ts); false when this process did not send it. */
  reportFailed(platformId: string, failure: Omit<LateFailure, 'partsSent'>): Promise<boolean>;
  /** How many statuses are remembered to skip resends; default 5,000. */
  remembered?: number;
}

/**
 * Handles each reported status once: recorded in the conversation's event log and, for a failure,
 * dead-lettered. The two are attempted independently: a store that fails or times out never drops
 * the dead letter (nor the reverse); each failure is logged. Never throws.
 */
export function deliveryStatusHandler(deps: DeliveryStatusDeps): (reported: ReportedStatus) => Promise<void> {
  const { platform, runtime, logger } = deps;
  const firstStatus = recentIds<string>(deps.remembered ?? REMEMBERED_STATUSES);

  async function record({ conversationId, status }: ReportedStatus): Promise<void> {
    try {
      await runtime.recordDeliveryStatus(conversationId, status);
    } catch (error) {
      logger.error(
        { conversationId, messageId: status.messageId, err: error },
        `${platform} delivery status not recorded`,
      );
    }
  }

  async function deadLetter({ conversationId, status }: ReportedStatus, failure: ReportedStatus['failure'] & {}) {
    const fields = { conversationId, messageId: status.messageId, status: status.status };
    try {
      const kept = await deps.reportFailed(status.messageId, failure);
      logger.warn(
        { ...fields, platformCode: failure.platformCode, errors: status.errors },
        kept
          ? `${platform} reports a message not delivered: kept in the dead-letter list`
          : `${platform} reports a message not delivered that this process does not remember`,
      );
    } catch (error) {
      logger.error({ ...fields, err: error }, `${platform} delivery failure not dead-lettered`);
    }
  }

  return async (reported) => {
    const { conversationId, status, failure } = reported;
    if (!firstStatus(`${status.messageId}:${status.status}`)) {
      logger.debug(
        { conversationId, messageId: status.messageId, status: status.status },
        'repeated delivery status ignored',
      );
      return;
    }
    await Promise.all([record(reported), failure ? deadLetter(reported, failure) : undefined]);
  };
}
