import { workflowConstants } from './catalog.ts';
import type { WorkOrderSummary } from './cmms.ts';
import { LIST_LIMIT, moreOrders, orderLine } from './format.ts';
import { isCountedList, isWorkOrder } from './shapes.ts';
import { defineWorkflow } from './workflow.ts';

/** `listar_ot_pendientes`, params `{}`: orders not Completada/Cancelada, most urgent first (at most the catalog's `limit`). */
export interface PendingWorkOrdersResult {
  total: number;
  orders: WorkOrderSummary[];
}

export const listar_ot_pendientes = defineWorkflow({
  id: 'listar_ot_pendientes',
  async run(cmms): Promise<PendingWorkOrdersResult> {
    const orders = await cmms.listPendingWorkOrders();
    return { total: orders.length, orders: orders.slice(0, workflowConstants('listar_ot_pendientes').limit) };
  },
  isResult: (value): value is PendingWorkOrdersResult => isCountedList(value, 'orders', isWorkOrder),
  render(r) {
    if (r.total === 0) return { text: 'No hay órdenes de trabajo pendientes.' };
    const lines = r.orders.slice(0, LIST_LIMIT).map(orderLine);
    return {
      text: `Órdenes de trabajo pendientes (${r.total}):\n${lines.join('\n')}${moreOrders(r.total, lines.length)}`,
    };
  },
});
