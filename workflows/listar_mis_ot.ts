import { workflowConstants, workflowParameter } from './catalog.ts';
import type { WorkOrderSummary } from './cmms.ts';
import { LIST_LIMIT, more } from './format.ts';
import { isUser } from './order-actions.ts';
import { compareMine, comparePending, isPendingState } from './pending.ts';
import { isCountedList, isWorkOrder } from './shapes.ts';
import { defineWorkflow } from './workflow.ts';

/** `mias`: orders the user requested or is assigned to; `asignadas`: open ones assigned to the user. */
export type MyOrdersFilter = 'mias' | 'asignadas';

/** `listar_mis_ot`, params `{ idusuario, filtro }`: at most the catalog's `limit` orders; `total` counts them all. */
export interface MyWorkOrdersResult {
  total: number;
  orders: WorkOrderSummary[];
  filtro: MyOrdersFilter;
}

const FILTERS = workflowParameter('listar_mis_ot', 'filtro').values ?? [];

/** The user's orders by `filtro`, in the order they are listed (as `my_orders` in the DAG). */
export function myOrders(orders: WorkOrderSummary[], user: number, filtro: MyOrdersFilter): WorkOrderSummary[] {
  if (filtro === 'asignadas') {
    return orders
      .filter((o) => isUser(o.idtecnicoasignado, user) && isPendingState(o.estado_nombre))
      .sort(comparePending);
  }
  return orders.filter((o) => isUser(o.idsolicitante, user) || isUser(o.idtecnicoasignado, user)).sort(compareMine);
}

const line = (o: WorkOrderSummary, filtro: MyOrdersFilter) =>
  `• ${o.numeroot} — ${o.equipo_nombre ?? 'sin equipo'} — ${o.estado_nombre ?? '?'}${filtro === 'asignadas' ? ` — ${o.prioridad ?? '?'}` : ''}`;

export const listar_mis_ot = defineWorkflow({
  id: 'listar_mis_ot',
  async run(cmms, params): Promise<MyWorkOrdersResult> {
    const filtro = params.filtro as MyOrdersFilter;
    const mine = myOrders(await cmms.listWorkOrders(), params.idusuario as number, filtro);
    return { total: mine.length, orders: mine.slice(0, workflowConstants('listar_mis_ot').limit), filtro };
  },
  isResult: (value): value is MyWorkOrdersResult =>
    isCountedList(value, 'orders', isWorkOrder) && FILTERS.includes((value as { filtro?: unknown }).filtro as string),
  render(r) {
    const assigned = r.filtro === 'asignadas';
    if (r.total === 0) {
      return {
        text: assigned ? 'No tienes órdenes de trabajo abiertas asignadas.' : 'No tienes órdenes de trabajo.',
      };
    }
    const lines = r.orders.slice(0, LIST_LIMIT).map((o) => line(o, r.filtro));
    const title = assigned ? 'Tus órdenes de trabajo asignadas' : 'Tus órdenes de trabajo';
    return { text: `${title} (${r.total}):\n${lines.join('\n')}${more(r.total, lines.length)}` };
  },
});
