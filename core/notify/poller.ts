import { UpstreamError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { withDeadline } from '../runtime/deadline.ts';
import { detectChanges } from './detect.ts';
import type { PollLease } from './lease.ts';
import type { SeenStore } from './seen-store.ts';
import type { FanOutOutcome, NotifyChange, SeenOrder, WatchedOrder } from './types.ts';

export interface NotifyPollerOptions {
  /** NOTIFY_POLL_INTERVAL_MS: the pause between the end of a round and the next one. */
  intervalMs: number;
  /** Every work order now, as the service account sees it. */
  listOrders: () => Promise<WatchedOrder[]>;
  /** How long listing the orders may take before the round gives up (default 30 s). */
  listDeadlineMs?: number;
  seen: SeenStore;
  lease: PollLease;
  fanOut: (changes: readonly NotifyChange[]) => Promise<FanOutOutcome>;
  logger: Logger;
  /** Hands the telling of each round's changes to the runtime's in-flight work, so a shutdown waits for it. */
  track?: (telling: Promise<void>) => void;
}

export interface NotifyPoller {
  /** No new round starts; resolves once the changes being told were told and the lease was let go. */
  stop(): Promise<void>;
}

const LIST_DEADLINE_MS = 30_000;

/**
 * The embedded runner's `notificar_cambios_ot`: every `intervalMs`, the process holding the lease
 * lists the orders, detects the changes against the seen state (the first round records the
 * baseline and tells nothing), tells the linked chats, and saves the seen state of the orders whose
 * change every chat was told of (the others are detected again, under the same change id, next
 * round). A failing round is logged and the next one tries again; nothing here throws.
 */
export function startNotifyPoller(options: NotifyPollerOptions): NotifyPoller {
  const { logger } = options;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  /** The changes being told and saved: what a shutdown waits for (a listing still on its way is left). */
  let telling: Promise<void> | undefined;

  async function round(): Promise<void> {
    if (!(await options.lease.hold())) return; // another process polls
    if (stopped) return options.lease.release(); // taken while the shutdown let it go
    const seen = await options.seen.load();
    const listDeadlineMs = options.listDeadlineMs ?? LIST_DEADLINE_MS;
    const orders = await withDeadline(
      options.listOrders(),
      listDeadlineMs,
      () => new UpstreamError('cmms', `listing the work orders took longer than ${listDeadlineMs} ms`),
    );
    if (stopped) return; // the process is shutting down: the next holder looks again
    const detection = detectChanges(orders, seen);
    if (detection.baseline) {
      await options.seen.save(detection.updates);
      logger.info({ orders: orders.length }, 'order notifications: baseline recorded');
      return;
    }
    if (!detection.changes.length) return;
    telling = tell(detection.changes, detection.updates);
    options.track?.(telling.catch(() => undefined));
    await telling;
  }

  async function tell(changes: readonly NotifyChange[], updates: ReadonlyMap<number, SeenOrder>): Promise<void> {
    const outcome = await options.fanOut(changes);
    await options.seen.save(toldOnly(updates, changes, outcome.retry));
    const { notified, duplicates } = outcome;
    logger.info({ changes: changes.length, notified, duplicates, retry: outcome.retry.size }, 'order changes notified');
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      void round()
        .catch((error: unknown) => logger.warn({ err: error }, 'order notification round failed'))
        .finally(() => {
          telling = undefined;
          schedule();
        });
    }, options.intervalMs);
    timer.unref();
  };
  // The first look one interval after the start: a gateway started for a moment (a test, a one-off) never polls.
  schedule();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await telling?.catch(() => undefined);
      await options.lease.release().catch((error: unknown) => logger.warn({ err: error }, 'poll lease release failed'));
    },
  };
}

/** The seen state to save: every detected order but those with a change some chat must still be told of. */
function toldOnly(
  updates: ReadonlyMap<number, SeenOrder>,
  changes: readonly NotifyChange[],
  retry: ReadonlySet<string>,
): Map<number, SeenOrder> {
  const untold = new Set(changes.filter((change) => retry.has(change.changeId)).map((change) => change.orderId));
  return new Map([...updates].filter(([orderId]) => !untold.has(orderId)));
}
