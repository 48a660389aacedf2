import type { Logger } from '../log.ts';
import type { ConversationStore } from '../store/types.ts';

export interface Heartbeat {
  /** No renewal starts after this; resolves once a renewal still on its way has settled. */
  stop(): Promise<void>;
}

/** Beats per lease: a renewal that fails or comes late (a Redis command timeout) leaves time for more. */
export const BEATS_PER_LEASE = 4;

/**
 * Renews a message claim at a fixed rate (a quarter of its lease, counted from the start, whatever
 * each renewal takes) while its holder works, so the claim outlives a long turn and expires soon
 * after the holder dies (a retry then takes the message over). One renewal at a time: a beat that
 * comes while the previous renewal is still on its way is skipped. A late renewal still claims an
 * expired id that nobody took (the store's `renewMessage`). Stops by itself once the claim is no
 * longer this holder's; a failed renewal (store hiccup) is tried again at the next beat.
 */
export function startHeartbeat(options: {
  store: Pick<ConversationStore, 'renewMessage'>;
  logger: Logger;
  key: string;
  token: string;
  leaseMs: number;
}): Heartbeat {
  const { store, logger, key, token, leaseMs } = options;
  let stopped = false;
  let renewing: Promise<void> | undefined;
  const beat = () => {
    if (stopped || renewing) return;
    renewing = store
      .renewMessage(key, token, leaseMs)
      .then(
        (held) => {
          // Answered (the turn is delivering its replies), released, or taken over: nothing left to renew.
          if (!held && !stopped) {
            logger.debug({ key }, 'message claim no longer held: heartbeat stopped');
            halt();
          }
        },
        (error: unknown) => logger.debug({ key, err: error }, 'message claim renewal failed'),
      )
      .finally(() => {
        renewing = undefined;
      });
  };
  const timer = setInterval(beat, Math.max(1, Math.floor(leaseMs / BEATS_PER_LEASE)));
  timer.unref();
  const halt = () => {
    stopped = true;
    clearInterval(timer);
  };
  return {
    async stop() {
      halt();
      await renewing;
    },
  };
}
