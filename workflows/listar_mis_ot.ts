import { workflowConstants, workflowParameter } from './catalog.ts';
import type { WorkOrderSummary } from './cmms.ts';
import { LIST_LIMIT, moreOrders, orderLine } from './format.ts';
import { isUser } from './order-actions.ts';
import { compareMine, comparePending, isPendingState } from './pending.ts';
import { isCountedList, isWorkOrder } from './shapes.ts';
import { defineWorkflow } from './workflow.ts';

/** `mias`: orders the user requested or is assigned to; `asignadas`: open ones assigned to the user. */
export type MyOrdersFilter = 'mias' | 'asignadas';

/**
 * `listar_mis_ot`, params `{ idusuario, filtro }`: the open orders (at most the catalog's `limit`),
 * then for `mias` the most recent closed ones (at most `closedLimit`). `total` counts them all, `open`
 * the open ones among them (absent in a result of an older run).
 */
export interface MyWorkOrdersResult {
  total: number;
  open?: number;
  orders: WorkOrderSummary[];
  filtro: MyOrdersFilter;
}

const FILTERS = workflowParameter('listar_mis_ot', 'filtro').values ?? [];
const { limit: LIMIT, closedLimit: CLOSED_LIMIT } = workflowConstants('listar_mis_ot');
const isOpen = (o: WorkOrderSummary) => isPendingState(o.estado_nombre);

/** The user's orders by `filtro`, in the order they are listed (as `my_orders` in the DAG). */
export function myOrders(orders: WorkOrderSummary[], user: number, filtro: MyOrdersFilter): WorkOrderSummary[] {
  if (filtro === 'asignadas') {
    return orders.filter((o) => isUser(o.idtecnicoasignado, user) && isOpen(o)).sort(comparePending);
  }
  return orders.filter((o) => isUser(o.idsolicitante, user) || isUser(o.idtecnicoasignado, user)).sort(compareMine);
}

/** A result's shape; `open`, when given, a count within `total`. */
function isMyOrders(value: unknown): value is MyWorkOrdersResult {
  if (!isCountedList(value, 'orders', isWorkOrder)) return false;
  const { open, total, filtro } = value as { open?: unknown; total: number; filtro?: unknown };
  const openOk = open === undefined || (Number.isInteger(open) && (open as number) >= 0 && (open as number) <= total);
  return openOk && FILTERS.includes(filtro as string);
}

/** The closed part of "mis OT": the most recent ones, and how many more there are. */
function closedPart(closed: WorkOrderSummary[], count: number): string {
  const lines = closed.slice(0, CLOSED_LIMIT).map(orderLine);
  const rest = count - lines.length;
  const head = lines.length ? `\nLas cerradas más recientes:\n${lines.join('\n')}` : '';
  return `${head}${rest > 0 ? `\n…y ${rest} ${rest === 1 ? 'cerrada' : 'cerradas'} más.` : ''}`;
}

export const listar_mis_ot = defineWorkflow({
  id: 'listar_mis_ot',
  async run(cmms, params): Promise<MyWorkOrdersResult> {
    const filtro = params.filtro as MyOrdersFilter;
    const mine = myOrders(await cmms.listWorkOrders(), params.idusuario as number, filtro);
    const open = mine.filter(isOpen);
    const closed = mine.filter((o) => !isOpen(o));
    const orders = [...open.slice(0, LIMIT), ...closed.slice(0, CLOSED_LIMIT)];
    return { total: mine.length, open: open.length, orders, filtro };
  },
  isResult: isMyOrders,
  render(r) {
    const assigned = r.filtro === 'asignadas';
    if (r.total === 0) {
      return {
        text: assigned
          ? 'No tienes órdenes de trabajo abiertas asignadas.'
          : 'No tienes órdenes de trabajo. Escribe "reportar falla" para reportar una.',
      };
    }
    const open = r.orders.filter(isOpen);
    const openCount = r.open ?? open.length;
    const lines = open.slice(0, LIST_LIMIT).map(orderLine);
    const title = assigned ? 'Tus órdenes de trabajo asignadas' : 'Tus órdenes de trabajo';
    const head = lines.length ? `\n${lines.join('\n')}` : ' ninguna abierta.';
    const more = moreOrders(openCount, lines.length, !assigned);
    const closed = closedPart(
      r.orders.filter((o) => !isOpen(o)),
      r.total - openCount,
    );
    return { text: `${title} (${r.total}):${head}${more}${closed}` };
  },
});
