import { workflowConstants } from './catalog.ts';
import type { WorkOrderSummary } from './cmms.ts';
import { LIST_LIMIT, more } from './format.ts';
import { comparePending, isPendingState } from './pending.ts';
import { isCountedList, isWorkOrder } from './shapes.ts';
import { defineWorkflow } from './workflow.ts';

/** `listar_ot_sin_asignar`, params `{}`: open orders with no technician, most urgent first (at most the catalog's `limit`). */
export interface UnassignedWorkOrdersResult {
  total: number;
  orders: WorkOrderSummary[];
}

/** No technician: none given, or an empty one (as `is_unassigned` in the DAG). */
const isUnassigned = (o: WorkOrderSummary) =>
  o.idtecnicoasignado === null || o.idtecnicoasignado === undefined || String(o.idtecnicoasignado).trim() === '';

export const listar_ot_sin_asignar = defineWorkflow({
  id: 'listar_ot_sin_asignar',
  async run(cmms): Promise<UnassignedWorkOrdersResult> {
    const orders = (await cmms.listWorkOrders())
      .filter((o) => isUnassigned(o) && isPendingState(o.estado_nombre))
      .sort(comparePending);
    return { total: orders.length, orders: orders.slice(0, workflowConstants('listar_ot_sin_asignar').limit) };
  },
  isResult: (value): value is UnassignedWorkOrdersResult => isCountedList(value, 'orders', isWorkOrder),
  render(r) {
    if (r.total === 0) return { text: 'No hay órdenes de trabajo abiertas sin técnico asignado.' };
    const lines = r.orders
      .slice(0, LIST_LIMIT)
      .map(
        (o) =>
          `• ${o.numeroot} — ${o.equipo_nombre ?? 'sin equipo'} — ${o.estado_nombre ?? '?'} — ${o.prioridad ?? '?'}`,
      );
    return {
      text: `Órdenes de trabajo sin técnico asignado (${r.total}):\n${lines.join('\n')}${more(r.total, lines.length)}`,
    };
  },
});
