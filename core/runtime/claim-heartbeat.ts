export interface Heartbeat {
  /** No renewal starts after this; resolves once a renewal still on its way has settled. */
  stop(): Promise<void>;
}

/** Beats per lease: a renewal that fails or comes late (a Redis command timeout) leaves time for more. */
export const BEATS_PER_LEASE = 4;

export interface HeartbeatOptions {
  /** Renews the lease; false once it is no longer this holder's. */
  renew: () => Promise<boolean>;
  leaseMs: number;
  beatsPerLease?: number;
  /** The lease was answered, released or taken over: beating has stopped. */
  onLost: () => void;
  /** A renewal failed (store hiccup); it is tried again at the next beat. */
  onError: (error: unknown) => void;
}

/**
 * Renews a lease (a message claim, a workflow run) at a fixed rate, counted from the start whatever
 * each renewal takes, while its holder works: the lease outlives long work and expires soon after
 * the holder dies, so another process takes over. One renewal at a time: a beat that comes while
 * the previous renewal is still on its way is skipped. Stops by itself once the lease is no longer
 * this holder's.
 */
export function startHeartbeat(options: HeartbeatOptions): Heartbeat {
  const { renew, leaseMs, onLost, onError } = options;
  let stopped = false;
  let renewing: Promise<void> | undefined;
  const beat = () => {
    if (stopped || renewing) return;
    renewing = renew()
      .then(
        (held) => {
          if (!held && !stopped) {
            halt();
            onLost();
          }
        },
        (error: unknown) => onError(error),
      )
      .finally(() => {
        renewing = undefined;
      });
  };
  const timer = setInterval(beat, Math.max(1, Math.floor(leaseMs / (options.beatsPerLease ?? BEATS_PER_LEASE))));
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
