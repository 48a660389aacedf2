import { foldText } from '../lib/fold-text.ts';
import { CLOSED_WORK_ORDER_STATES, CMMS_PRIORITIES, workflowConstants } from './catalog.ts';
import type { WorkOrderSummary } from './cmms.ts';

/**
 * Open and closed work orders and their order in a list, as the DAGs see them
 * (`dags/omnibot_common/summaries.py`): states and priorities compared with case and accents ignored
 * ("COMPLETADA", "critica"). `core/cmms/pending.ts` re-exports these for the client.
 */

const CLOSED = new Set(CLOSED_WORK_ORDER_STATES.map(foldText));
const RANK = new Map(CMMS_PRIORITIES.map((name, i) => [foldText(name), CMMS_PRIORITIES.length - 1 - i]));

/** Whether an order in this state is still pending (not a finished state), as `is_pending`. */
export function isPendingState(estado: unknown): boolean {
  return !CLOSED.has(foldText(String(estado ?? '')));
}

const REPORTED = new Set(workflowConstants('listar_ot_sin_asignar').reportedStates.map(foldText));

/** Whether the order is in a state of a reported order (Abierta, v2's Pendiente…), as `is_reported`. */
export function isReportedState(estado: unknown): boolean {
  return REPORTED.has(foldText(String(estado ?? '')));
}

/** No technician: none given, or an empty one. */
const noTechnician = (o: Pick<WorkOrderSummary, 'idtecnicoasignado'>) =>
  o.idtecnicoasignado === null || o.idtecnicoasignado === undefined || String(o.idtecnicoasignado).trim() === '';

/**
 * Open and not yet assigned by a supervisor, as `is_unassigned`: reported (whoever the CMMS put as its
 * technician: it puts the reporter) or with no technician.
 */
export function isUnassigned(o: Pick<WorkOrderSummary, 'estado_nombre' | 'idtecnicoasignado'>): boolean {
  return isPendingState(o.estado_nombre) && (isReportedState(o.estado_nombre) || noTechnician(o));
}

/** Whether the order is in the state `name` (case and accents ignored), as `in_state`. */
export function isInState(order: Pick<WorkOrderSummary, 'estado_nombre'>, name: string): boolean {
  return foldText(String(order.estado_nombre ?? '')) === foldText(name);
}

/** 0 for `Crítica` … 3 for `Baja`; an unknown or empty priority after them all. */
export function priorityRank(prioridad: unknown): number {
  return RANK.get(foldText(String(prioridad ?? ''))) ?? RANK.size;
}

const dateOf = (o: WorkOrderSummary) => String(o.fechacreacionot || '9999');
const idOf = (o: WorkOrderSummary) => Number(o.idordentrabajo) || 0;
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Most urgent first, then the oldest (undated last), then the lowest id: `pending_sort_key`. */
export function comparePending(a: WorkOrderSummary, b: WorkOrderSummary): number {
  return (
    priorityRank(a.prioridad) - priorityRank(b.prioridad) || compareText(dateOf(a), dateOf(b)) || idOf(a) - idOf(b)
  );
}

/**
 * A user's orders (`mine_sort_key`): open ones first, as `comparePending`; then closed ones, the most
 * recently created first (then the highest id).
 */
export function compareMine(a: WorkOrderSummary, b: WorkOrderSummary): number {
  const openA = isPendingState(a.estado_nombre);
  const openB = isPendingState(b.estado_nombre);
  if (openA !== openB) return openA ? -1 : 1;
  if (openA) return comparePending(a, b);
  const created = (o: WorkOrderSummary) => String(o.fechacreacionot || '');
  return compareText(created(b), created(a)) || idOf(b) - idOf(a);
}
