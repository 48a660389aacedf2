import type { Logger } from '../log.ts';
import type { EquipmentSummary } from '../workflows/results.ts';

/**
 * The CMMS's equipment as the conversation model reads it to understand a message ("la excavadora
 * 336" → CAT-002). A message's turn never waits on the CMMS for it longer than `deadlineMs`: the last
 * good list is answered at once (and refreshed in the background once older than `refreshMs`), one
 * read at a time is in flight, and with nothing known yet a read that outlasts the deadline (or fails)
 * answers null: the model then finds equipment codes by their shape only, and the conversation asks.
 */

export interface EquipmentCatalogOptions {
  /** The CMMS's equipment list (the CMMS client keeps its own short cache). */
  list: () => Promise<readonly EquipmentSummary[]>;
  logger: Logger;
  /** How long a read may hold a message's turn when no list is known yet. */
  deadlineMs?: number;
  /** A kept list older than this is refreshed in the background (it is still answered meanwhile). */
  refreshMs?: number;
  /** After a failed read, no new read before this long (an outage is not asked about by every message). */
  retryMs?: number;
  now?: () => number;
}

export interface EquipmentCatalog {
  /** The equipment list now: the kept one, else a read within the deadline; null when none can be had. */
  read(): Promise<readonly EquipmentSummary[] | null>;
  /** Starts a read (at start-up) without waiting for it. */
  warm(): void;
}

export const DEFAULT_CATALOG_DEADLINE_MS = 1_000;
const REFRESH_MS = 60_000;
const RETRY_MS = 5_000;

export function createEquipmentCatalog(options: EquipmentCatalogOptions): EquipmentCatalog {
  const { list, logger } = options;
  const deadlineMs = options.deadlineMs ?? DEFAULT_CATALOG_DEADLINE_MS;
  const refreshMs = options.refreshMs ?? REFRESH_MS;
  const retryMs = options.retryMs ?? RETRY_MS;
  const now = options.now ?? Date.now;
  let kept: { items: readonly EquipmentSummary[]; at: number } | null = null;
  let failedAt: number | null = null;
  let inFlight: Promise<readonly EquipmentSummary[] | null> | null = null;

  /** The one read in flight (started when none is); it never rejects: a failure is null. */
  function refresh(): Promise<readonly EquipmentSummary[] | null> {
    if (inFlight) return inFlight;
    const read = (async () => {
      try {
        const items = await list();
        kept = { items, at: now() };
        failedAt = null;
        return items;
      } catch (error) {
        failedAt = now();
        logger.warn(
          { err: error, kept: kept !== null },
          'reading the CMMS equipment catalog failed; messages are understood without it meanwhile',
        );
        return null;
      }
    })();
    inFlight = read;
    void read.finally(() => {
      if (inFlight === read) inFlight = null;
    });
    return read;
  }

  const mayRead = () => failedAt === null || now() - failedAt >= retryMs;

  return {
    read() {
      if (kept) {
        if (now() - kept.at >= refreshMs && mayRead()) void refresh();
        return Promise.resolve(kept.items);
      }
      if (!inFlight && !mayRead()) return Promise.resolve(null);
      return withinDeadline(refresh(), deadlineMs);
    },
    warm() {
      if (!kept && mayRead()) void refresh();
    },
  };
}

/** `read`, or null once `ms` passed (the read goes on and keeps its list for the next message). */
function withinDeadline<T>(read: Promise<T | null>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
    timer.unref();
  });
  return Promise.race([read, late]).finally(() => clearTimeout(timer));
}
