import catalog from '../../workflows/catalog.json' with { type: 'json' };
import type { ReportedFailureQuery } from '../../workflows/cmms.ts';

/**
 * Finding the order an earlier attempt of a failure report created. The report writes its run's
 * marker in `observacionesadicionales`; a CMMS that keeps it shows it in `observacionesfinales`, but
 * where the API keeps that field is not documented and `completar/` overwrites it. So an order also
 * counts when it has the same equipment and exactly the same description, and was created no
 * earlier than the run started (less a margin for clocks), unless it carries another run's marker.
 */

/** Shared with the DAGs (`dags/omnibot_common/reported_failure.py`) through the catalog. */
const constants = catalog.cmms.reportedFailure;

/** The start of every marker (`<prefix> (ref. <16 hex>)`), from the catalog (the DAGs read it too). */
export const REPORT_MARKER_PREFIX = constants.markerPrefix;

/** How far the CMMS's clock may lag the runner's when comparing an order's creation with a run's start. */
export const CLOCK_MARGIN_MS = constants.clockMarginSeconds * 1000;

/** Pages a look-up for a reported failure reads at most (the first one and the newest ones). */
export const FIND_PAGES = constants.findPages;

export type { ReportedFailureQuery };

const DAY_MS = 24 * 3600_000;

type RawOrder = Record<string, unknown>;

/** The order of `orders` that the run reported: its marker first, else the fallback match. */
export function pickReportedFailure(orders: RawOrder[], query: ReportedFailureQuery): RawOrder | undefined {
  const { marker, idequipo, descripcion, since } = query;
  const observations = (order: RawOrder) => String(order.observacionesfinales ?? '');
  const marked = marker ? orders.find((order) => observations(order).includes(marker)) : undefined;
  if (marked || idequipo === undefined || !descripcion || since === undefined) return marked;
  const notBefore = since - CLOCK_MARGIN_MS;
  return orders.find(
    (order) =>
      Number(order.idequipo) === idequipo &&
      String(order.descripcionproblemareportado ?? '').trim() === descripcion.trim() &&
      !observations(order).includes(`${REPORT_MARKER_PREFIX} (ref.`) &&
      createdAt(order) >= notBefore,
  );
}

/** The latest of the order's creation and report times; NaN when neither can be read. */
function createdAt(order: RawOrder): number {
  const times = [order.fechacreacionot, order.fechareportefalla].map((value) => {
    if (typeof value !== 'string' || !value.trim()) return Number.NaN;
    const time = Date.parse(value);
    // A bare date: the order may be from any time that day.
    return /^\d{4}-\d{2}-\d{2}$/.test(value.trim()) ? time + DAY_MS : time;
  });
  const known = times.filter((time) => !Number.isNaN(time));
  return known.length ? Math.max(...known) : Number.NaN;
}
