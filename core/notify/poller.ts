import { UpstreamError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { withDeadline } from '../runtime/deadline.ts';
import { detectChanges } from './detect.ts';
import type { PollLease } from './lease.ts';
import { numberProblem } from './limits.ts';
import type { SeenStore } from './seen-store.ts';
import type { FanOutOutcome, NotifyChange, PendingChange, WatchedOrder } from './types.ts';

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
  now?: () => number;
}

export interface NotifyPoller {
  /** No new round starts; resolves once the changes being told were told and the lease was let go. */
  stop(): Promise<void>;
}

const LIST_DEADLINE_MS = 30_000;
/** A change some chat still could not be told of a day later is given up (it is old news by then). */
export const PENDING_MAX_AGE_MS = 24 * 3600_000;

/**
 * The embedded runner's `notificar_cambios_ot`: every `intervalMs`, the process holding the lease
 * (renewed every third of its TTL while a round runs) lists the orders and detects the changes
 * against the seen state (the first round records the baseline and tells nothing). It records them
 * first (the orders' new sequences and the changes as pending, only while it still holds the lease),
 * then tells the linked chats the changes still pending from earlier rounds and the new ones, and
 * forgets each change every chat was told of. A failing round is logged and the next one tries again;
 * nothing here throws.
 */
export function startNotifyPoller(options: NotifyPollerOptions): NotifyPoller {
  const { logger } = options;
  const now = options.now ?? Date.now;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  /** The changes being told: what a shutdown waits for (a listing still on its way is left). */
  let telling: Promise<void> | undefined;

  async function round(): Promise<void> {
    if (!(await options.lease.hold())) return; // another process polls
    if (stopped) return options.lease.release(); // taken while the shutdown let it go
    const heartbeat = keepHolding(options.lease, logger);
    try {
      await lookAndTell();
    } finally {
      heartbeat.stop();
    }
  }

  async function lookAndTell(): Promise<void> {
    const seen = await options.seen.load();
    let listingFailed: unknown;
    const orders = await list().catch((error: unknown) => {
      listingFailed = error;
      return null;
    });
    if (stopped) return; // the process is shutting down: the next holder looks again
    const fresh: NotifyChange[] = [];
    if (orders) {
      const detection = detectChanges(orders, seen, now());
      for (const change of detection.changes) {
        const problem = numberProblem(change.number);
        if (!problem) fresh.push(change);
        else logger.warn({ orderId: change.orderId, reason: problem }, 'order change not told: bad CMMS record');
      }
      if (detection.updates.size > 0 || detection.baseline) {
        const pending = fresh.map((change): PendingChange => ({ change, addedAt: now() }));
        if (!(await options.seen.record({ ...detection, pending }, options.lease.fence))) {
          logger.warn({}, 'order notifications: the poll lease was lost during the round; another process polls');
          return;
        }
      }
      if (detection.baseline) {
        logger.info({ orders: orders.length }, 'order notifications: baseline recorded');
        return;
      }
    }
    const due = await dueChanges(seen.pending);
    const changes = [...due, ...fresh];
    if (changes.length > 0) {
      telling = tell(changes);
      options.track?.(telling.catch(() => undefined));
      await telling;
    }
    if (listingFailed !== undefined) throw listingFailed;
  }

  function list(): Promise<WatchedOrder[]> {
    const listDeadlineMs = options.listDeadlineMs ?? LIST_DEADLINE_MS;
    return withDeadline(
      options.listOrders(),
      listDeadlineMs,
      () => new UpstreamError('cmms', `listing the work orders took longer than ${listDeadlineMs} ms`),
    );
  }

  /** The pending changes to tell again; those a day old are given up (logged) and forgotten. */
  async function dueChanges(pending: readonly PendingChange[]): Promise<NotifyChange[]> {
    const cutoff = now() - PENDING_MAX_AGE_MS;
    const expired = pending.filter((entry) => entry.addedAt < cutoff).map((entry) => entry.change.changeId);
    if (expired.length > 0) {
      logger.error({ changes: expired }, 'order changes given up: some chat could not be told for a day');
      await options.seen.forget(expired);
    }
    return pending.filter((entry) => entry.addedAt >= cutoff).map((entry) => entry.change);
  }

  async function tell(changes: readonly NotifyChange[]): Promise<void> {
    const outcome = await options.fanOut(changes);
    await options.seen.forget(changes.filter((change) => !outcome.retry.has(change.changeId)).map((c) => c.changeId));
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

/** Renews the lease every third of its TTL while a round runs (a slow CMMS or fan-out never lets it lapse). */
function keepHolding(lease: PollLease, logger: Logger): { stop(): void } {
  if (lease.ttlMs === undefined) return { stop: () => {} };
  const beat = setInterval(
    () => {
      lease.hold().then(
        (held) => {
          if (!held) logger.warn({}, 'order notifications: the poll lease was taken over during the round');
        },
        (error: unknown) => logger.warn({ err: error }, 'renewing the poll lease failed'),
      );
    },
    Math.max(10, Math.floor(lease.ttlMs / 3)),
  );
  beat.unref();
  return { stop: () => clearInterval(beat) };
}
