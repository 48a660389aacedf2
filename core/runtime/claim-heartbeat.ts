import type { Logger } from '../log.ts';
import type { ConversationStore } from '../store/types.ts';

export interface Heartbeat {
  stop(): void;
}

/**
 * Renews a message claim every third of its lease while its holder works, so the claim outlives a
 * long turn and expires soon after the holder dies (a retry then takes the message over). Stops by
 * itself once the claim is no longer this holder's; a failed renewal (store hiccup) is tried again
 * at the next beat.
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
  let timer: NodeJS.Timeout | undefined;
  const beat = async () => {
    try {
      const held = await store.renewMessage(key, token, leaseMs);
      // Answered (the turn is delivering its replies), released, or taken over: nothing left to renew.
      if (!held && !stopped) {
        logger.debug({ key }, 'message claim no longer held: heartbeat stopped');
        stopped = true;
      }
    } catch (error) {
      logger.debug({ key, err: error }, 'message claim renewal failed');
    }
    schedule();
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(beat, Math.max(1, Math.floor(leaseMs / 3)));
    timer.unref();
  };
  schedule();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
