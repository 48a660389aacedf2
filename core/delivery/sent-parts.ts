import type { LateFailure, SendOptions } from './types.ts';

/** Sent messages whose late failure may still arrive (the most recent ones, per process). */
const REMEMBERED_SENDS = 10_000;

/**
 * What each accepted part carried, by the platform's message id (a WhatsApp wamid, a Twilio SID),
 * for channels that report a delivery failure after accepting the message (WhatsApp `failed`
 * statuses, Twilio `failed`/`undelivered` callbacks): such a failure dead-letters the message,
 * counting the parts sent before it. Only the process that sent a message remembers it.
 */
export function createSentParts(limit = REMEMBERED_SENDS) {
  const parts = new Map<string, { part: number; deadLetter: NonNullable<SendOptions['deadLetter']> }>();
  return {
    /** Part `part` (0-based) went out as `platformId`. */
    remember(platformId: string, part: number, deadLetter: SendOptions['deadLetter']): void {
      if (!deadLetter) return;
      parts.set(platformId, { part, deadLetter });
      if (parts.size > limit) parts.delete(parts.keys().next().value!);
    },
    /** Dead-letters the message `platformId` carried; false when this process does not remember it. */
    async reportFailed(platformId: string, failure: Omit<LateFailure, 'partsSent'>): Promise<boolean> {
      const sent = parts.get(platformId);
      if (!sent) return false;
      parts.delete(platformId);
      await sent.deadLetter({ ...failure, partsSent: sent.part });
      return true;
    },
  };
}
