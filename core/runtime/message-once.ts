import { InProgressError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { recordDuplicate } from '../metrics/registry.ts';
import { ClaimLostError, type ConversationStore, type MessageKind, messageKeyPrefix } from '../store/types.ts';
import { startHeartbeat } from './claim-heartbeat.ts';
import { answerFromStore } from './stored-answer.ts';
import type { TurnResult } from './types.ts';

/** A claimed message id and the claim's token (the commit checks it still holds the id). */
export interface MessageHold {
  key: string;
  token: string;
}

export type { MessageKind } from '../store/types.ts';

/**
 * The dedup key of an id within a conversation. The conversation id's length makes the pair
 * unambiguous (`a` + `b:c` and `a:b` + `c` differ), so no client-chosen id can reach another
 * conversation's answer, whatever either id contains.
 */
export function messageKey(kind: MessageKind, conversationId: string, id: string): string {
  return `${messageKeyPrefix(kind, conversationId)}${id}`;
}

export interface ProcessOnceOptions {
  store: ConversationStore;
  logger: Logger;
  /** How long a claim stays valid without a heartbeat (its holder renews it while the turn runs). */
  claimLeaseMs: number;
  /** How long a duplicate waits for a live holder's answer before it is told to retry (409). */
  duplicateWaitMs: number;
  /** How often a waiting duplicate looks at the claim again. */
  pollMs?: number;
  /** Work left behind an answer (a failed turn's release), for a shutdown to wait for. */
  track?: (work: Promise<unknown>) => void;
}

/**
 * The wait outlasts the lease (config enforces DUPLICATE_WAIT_MS > CLAIM_LEASE_MS): a retry that
 * arrives after its holder died always outlives the dead claim and takes the message over, instead
 * of being told to retry.
 */
export const DEFAULT_CLAIM_LEASE_MS = 6_000;
export const DEFAULT_DUPLICATE_WAIT_MS = 10_000;

export function processOnce(options: ProcessOnceOptions) {
  const { store, logger, claimLeaseMs, duplicateWaitMs } = options;
  const pollMs = options.pollMs ?? Math.max(10, Math.min(100, Math.floor(claimLeaseMs / 10)));
  const track = options.track ?? (() => undefined);
  /**
   * Processes a message id once. The first caller claims it and runs it, renewing the claim while
   * it runs; the commit stores its answer. A duplicate gets that answer, waiting while the holder
   * is alive; it takes the id over when the holder died (its claim expired) or failed (released
   * it). A duplicate still waiting after `duplicateWaitMs` gets `InProgressError` (409 with
   * Retry-After): never an answer without the answer. So does a caller whose claim was taken over
   * `MAX_TAKEOVERS` times.
   */
  return async function once(
    key: string,
    conversationId: string,
    /** `atOnce`: claimed at the first look, without waiting for another holder or losing a claim. */
    process: (claim: MessageHold, atOnce: boolean) => Promise<TurnResult>,
  ): Promise<TurnResult> {
    for (let attempt = 1; ; attempt++) {
      const giveUpAt = Date.now() + duplicateWaitMs;
      let claim = await store.claimMessage(conversationId, key, claimLeaseMs);
      const atOnce = attempt === 1 && claim.state === 'claimed';
      while (claim.state === 'pending' && Date.now() < giveUpAt) {
        await new Promise((resolve) => setTimeout(resolve, pollMs));
        claim = await store.claimMessage(conversationId, key, claimLeaseMs);
      }
      if (claim.state === 'done') {
        recordDuplicate(key, 'stored');
        logger.info({ conversationId, key }, 'duplicate delivery answered from the first processing');
        return answerFromStore(claim.result, conversationId);
      }
      if (claim.state === 'pending') {
        recordDuplicate(key, 'pending');
        logger.info({ conversationId, key }, 'duplicate delivery while the first is still processed: retry later');
        throw inProgress(conversationId);
      }
      // A late renewal still claims an expired id that nobody took (the store's `renewMessage`).
      const heartbeat = startHeartbeat({
        renew: () => store.renewMessage(conversationId, key, claim.token, claimLeaseMs),
        leaseMs: claimLeaseMs,
        // Answered (the turn is delivering its replies), released, or taken over: nothing left to renew.
        onLost: () => logger.debug({ key }, 'message claim no longer held: heartbeat stopped'),
        onError: (error) => logger.debug({ key, err: error }, 'message claim renewal failed'),
      });
      let result: TurnResult;
      try {
        result = await process({ key, token: claim.token }, atOnce);
      } catch (error) {
        if (error instanceof ClaimLostError) {
          await heartbeat.stop();
          // Our claim expired and a redelivery took the id over: its holder answers; wait for that.
          if (attempt < MAX_TAKEOVERS) continue;
          logger.warn({ conversationId, key, attempt }, 'message claim lost again and again: retry later');
          throw inProgress(conversationId);
        }
        // Answered at once, released behind the answer: with a stalled store each of these calls
        // would add its command timeout to the caller's wait. First no renewal left on its way, then
        // the release (nothing renews the claim after it); a release that never lands is a claim
        // whose lease runs out, and a retry takes the message over then.
        track(
          heartbeat
            .stop()
            .then(() => store.releaseMessage(conversationId, key, claim.token))
            .catch(() => undefined),
        );
        throw error;
      }
      // Answered: a renewal still on its way finds the answer and does nothing.
      void heartbeat.stop();
      return result;
    }
  };
}

/** Times a message's processing may lose its claim to a takeover before the caller is told to retry. */
export const MAX_TAKEOVERS = 3;

const inProgress = (conversationId: string) =>
  new InProgressError('this message is still being processed; retry to get its answer', 1_000, { conversationId });
