import { foldText } from '../lib/fold-text.ts';
import { workflowConstants } from './catalog.ts';
import type { WorkOrderSummary } from './cmms.ts';
import { LIST_LIMIT, moreOrders, orderLine } from './format.ts';
import { comparePending, isPendingState } from './pending.ts';
import { isCountedList, isWorkOrder } from './shapes.ts';
import { defineWorkflow } from './workflow.ts';

/**
 * `listar_ot_sin_asignar`, params `{}`: the open orders a supervisor has not assigned yet, most urgent
 * first (at most the catalog's `limit`).
 */
export interface UnassignedWorkOrdersResult {
  total: number;
  orders: WorkOrderSummary[];
}

const CONSTANTS = workflowConstants('listar_ot_sin_asignar');
const REPORTED = new Set(CONSTANTS.reportedStates.map(foldText));

/** In a state of a reported order (Abierta, v2's Pendiente…), as `is_reported` in the DAG. */
const isReported = (o: WorkOrderSummary) => REPORTED.has(foldText(String(o.estado_nombre ?? '')));

/** No technician: none given, or an empty one. */
const noTechnician = (o: WorkOrderSummary) =>
  o.idtecnicoasignado === null || o.idtecnicoasignado === undefined || String(o.idtecnicoasignado).trim() === '';

/**
 * Open and not yet assigned by a supervisor: reported (whoever the CMMS put as its technician: it
 * puts the reporter) or with no technician. As `is_unassigned` in the DAG.
 */
export const isUnassigned = (o: WorkOrderSummary): boolean =>
  isPendingState(o.estado_nombre) && (isReported(o) || noTechnician(o));

export const listar_ot_sin_asignar = defineWorkflow({
  id: 'listar_ot_sin_asignar',
  async run(cmms): Promise<UnassignedWorkOrdersResult> {
    const orders = (await cmms.listWorkOrders()).filter(isUnassigned).sort(comparePending);
    return { total: orders.length, orders: orders.slice(0, CONSTANTS.limit) };
  },
  isResult: (value): value is UnassignedWorkOrdersResult => isCountedList(value, 'orders', isWorkOrder),
  render(r) {
    if (r.total === 0) return { text: 'No hay órdenes de trabajo abiertas sin asignar.' };
    const lines = r.orders.slice(0, LIST_LIMIT).map((o) => {
      const by = isReported(o) && o.solicitante_nombre ? ` — reportada por ${o.solicitante_nombre}` : '';
      return `${orderLine(o)}${by}`;
    });
    return {
      text: `Órdenes de trabajo sin asignar (${r.total}):\n${lines.join('\n')}${moreOrders(r.total, lines.length)}`,
    };
  },
});
