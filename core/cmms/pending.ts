import { foldText } from '../../lib/fold-text.ts';
import { CLOSED_WORK_ORDER_STATES, CMMS_PRIORITIES } from '../../workflows/catalog.ts';
import type { WorkOrderSummary } from '../workflows/results.ts';

/**
 * Pending work orders as the DAGs see them (`dags/omnibot_common/summaries.py`): states and
 * priorities compared with case and accents ignored ("COMPLETADA", "critica").
 */

const CLOSED = new Set(CLOSED_WORK_ORDER_STATES.map(foldText));
const RANK = new Map(CMMS_PRIORITIES.map((name, i) => [foldText(name), CMMS_PRIORITIES.length - 1 - i]));

/** Whether an order in this state is still pending (not a finished state), as `is_pending`. */
export function isPendingState(estado: unknown): boolean {
  return !CLOSED.has(foldText(String(estado ?? '')));
}

/** 0 for `Crítica` … 3 for `Baja`; an unknown or empty priority after them all. */
export function priorityRank(prioridad: unknown): number {
  return RANK.get(foldText(String(prioridad ?? ''))) ?? RANK.size;
}

/** Most urgent first, then the oldest (undated last), then the lowest id: `pending_sort_key`. */
export function comparePending(a: WorkOrderSummary, b: WorkOrderSummary): number {
  const date = (o: WorkOrderSummary) => String(o.fechacreacionot || '9999');
  const [dateA, dateB] = [date(a), date(b)];
  return (
    priorityRank(a.prioridad) - priorityRank(b.prioridad) ||
    (dateA < dateB ? -1 : dateA > dateB ? 1 : 0) ||
    (Number(a.idordentrabajo) || 0) - (Number(b.idordentrabajo) || 0)
  );
}
