import { workflowConstants } from './catalog.ts';
import type { WorkOrderSummary } from './cmms.ts';
import { LIST_LIMIT, moreOrders, orderLine } from './format.ts';
import { comparePending, isUnassigned } from './pending.ts';
import { isCountedList, isWorkOrder } from './shapes.ts';
import { defineWorkflow } from './workflow.ts';

/**
 * `listar_ot_sin_asignar`, params `{}`: the open orders a supervisor has not assigned yet (`isUnassigned`),
 * most urgent first (at most the catalog's `limit`).
 */
export interface UnassignedWorkOrdersResult {
  total: number;
  orders: WorkOrderSummary[];
}

const LIMIT = workflowConstants('listar_ot_sin_asignar').limit;

export const listar_ot_sin_asignar = defineWorkflow({
  id: 'listar_ot_sin_asignar',
  async run(cmms): Promise<UnassignedWorkOrdersResult> {
    const orders = (await cmms.listWorkOrders()).filter(isUnassigned).sort(comparePending);
    return { total: orders.length, orders: orders.slice(0, LIMIT) };
  },
  isResult: (value): value is UnassignedWorkOrdersResult => isCountedList(value, 'orders', isWorkOrder),
  render(r) {
    if (r.total === 0) return { text: 'No hay órdenes de trabajo abiertas sin asignar.' };
    // Who asked for it: the supervisor about to assign it may want to ask them.
    const lines = r.orders
      .slice(0, LIST_LIMIT)
      .map((o) => `${orderLine(o)}${o.solicitante_nombre ? ` — solicitada por ${o.solicitante_nombre}` : ''}`);
    return {
      text: `Órdenes de trabajo sin asignar (${r.total}):\n${lines.join('\n')}${moreOrders(r.total, lines.length)}`,
    };
  },
});
