import { mayHaveReachedCmms } from './catalog.ts';
import type { WorkflowCmms, WorkOrderSummary } from './cmms.ts';
import { isPendingState } from './pending.ts';
import { isRecord, isWorkOrder } from './shapes.ts';
import type { RunContext } from './workflow.ts';

/**
 * What the workflows that act on one order share (`iniciar_ot`, `completar_ot`, `asignar_ot`; their
 * DAGs share `dags/omnibot_common/order_actions.py`): the order by its number or the run fails with
 * `order_not_found`, whose order it is, and a write that gives the first attempt's outcome.
 */

/** `{order, changed}`: the order as it is now; `changed` false when it already was so. */
export interface OrderChangeResult {
  order: WorkOrderSummary;
  changed: boolean;
}

export const isOrderChange = (value: unknown): value is OrderChangeResult =>
  isRecord(value) && isWorkOrder(value.order) && typeof value.changed === 'boolean';

/** The order `numeroot` names, else the run ends as `order_not_found`. */
export async function orderOrFail(cmms: WorkflowCmms, numeroot: string, run: RunContext): Promise<WorkOrderSummary> {
  const order = await cmms.findWorkOrder(numeroot);
  return order ?? run.fail('order_not_found', `no work order ${numeroot}`);
}

/** Whether a CMMS user id (a number, or its digits) is `user`. */
export const isUser = (id: unknown, user: number): boolean =>
  (typeof id === 'number' || typeof id === 'string') && String(id).trim() !== '' && Number(id) === user;

/** Ends the run with `not_assigned` unless the order's technician is `user`. */
export function assignedOrFail(order: WorkOrderSummary, user: number, run: RunContext): void {
  if (!isUser(order.idtecnicoasignado, user)) {
    run.fail('not_assigned', `${order.numeroot} is not assigned to user ${user}`);
  }
}

/** Ends the run with `order_closed` when the order is finished (Completada, Cancelada). */
export function openOrFail(order: WorkOrderSummary, run: RunContext): void {
  if (!isPendingState(order.estado_nombre)) run.fail('order_closed', `${order.numeroot} is ${order.estado_nombre}`);
}

/**
 * An order found already as the write leaves it. On a resumed run (attempt > 1) that is taken as the
 * first attempt's doing, so the run gives the first outcome (`changed: true`); a first attempt says
 * it already was so.
 */
export const alreadyDone = (order: WorkOrderSummary, run: RunContext): OrderChangeResult => ({
  order,
  changed: run.attempt > 1,
});

/**
 * Makes the write (after `confirmHeld`). When it may have reached the CMMS without an answer (no
 * answer, a 5xx), the order is read again: if it is as the write leaves it, the write took.
 */
export async function writeOnce(
  cmms: WorkflowCmms,
  run: RunContext,
  numeroot: string,
  write: () => Promise<WorkOrderSummary>,
  done: (order: WorkOrderSummary) => boolean,
): Promise<OrderChangeResult> {
  await run.confirmHeld?.();
  try {
    return { order: await write(), changed: true };
  } catch (error) {
    if (!mayHaveReachedCmms(run.cmmsFailureOf(error))) throw error;
    const now = await cmms.findWorkOrder(numeroot).catch(() => null);
    if (now && done(now)) return { order: now, changed: true };
    throw error;
  }
}
