import type { Logger } from '../log.ts';
import { ClaimLostError, type ConversationStore } from '../store/types.ts';
import type { TurnResult } from './types.ts';

/** A claimed message id and the claim's token (the commit checks it still holds the id). */
export interface MessageHold {
  key: string;
  token: string;
}

/** How long a duplicate delivery waits for the first one's answer. */
const DUPLICATE_WAIT_MS = 10_000;

export function processOnce(deps: { store: ConversationStore; logger: Logger; claimLeaseMs: number }) {
  const { store, logger, claimLeaseMs } = deps;
  /**
   * Processes a message id once. The first caller runs it and the commit stores its answer; a
   * duplicate gets that answer (waiting while the first is still running), or runs it itself when
   * the first attempt failed and released the id.
   */
  return async function once(
    key: string,
    conversationId: string,
    process: (claim: MessageHold) => Promise<TurnResult>,
    keepClaimOnError: (error: unknown) => boolean = () => false,
  ): Promise<TurnResult> {
    const giveUpAt = Date.now() + DUPLICATE_WAIT_MS;
    for (;;) {
      let claim = await store.claimMessage(key, claimLeaseMs);
      while (claim.state === 'pending' && Date.now() < giveUpAt) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        claim = await store.claimMessage(key, claimLeaseMs);
      }
      if (claim.state === 'done') {
        logger.info({ conversationId, key }, 'duplicate delivery answered from the first processing');
        return { ...(claim.result as TurnResult), duplicate: true };
      }
      if (claim.state === 'pending') {
        return { conversationId, replies: [], state: 'unknown', status: 'processing', duplicate: true };
      }
      try {
        return await process({ key, token: claim.token });
      } catch (error) {
        // Our lease ran out and a redelivery took the id over: its holder answers; wait for that.
        if (error instanceof ClaimLostError) continue;
        if (!keepClaimOnError(error)) await store.releaseMessage(key, claim.token).catch(() => undefined);
        throw error;
      }
    }
  };
}
