import type { NotifyChange, SeenOrder, SeenState, WatchedOrder } from './types.ts';

/** The state a completed order is in (the `completar_ot` workflow's): only then are its observations news. */
const COMPLETED_STATE = 'Completada';

export interface Detection {
  /** True on the first look (no seen state): everything is recorded, nothing is told. */
  baseline: boolean;
  changes: NotifyChange[];
  /** What to remember once the changes are told, by order id: the changed and the new orders only. */
  updates: Map<number, SeenOrder>;
}

/**
 * Compares the orders now with what was seen (the same rules as the `notificar_cambios_ot` DAG): an
 * order's signature is its state name and its technician id. The first look (no baseline) records
 * every order and tells nothing. After it, an order whose signature moved is a change, and so is an
 * order not seen before (no previous state). Each change of an order counts up its sequence: the
 * change id is `<order id>:<sequence>`, and a look repeated before the seen state was saved gives
 * the same ids (so a chat already told is not told again).
 */
export function detectChanges(orders: readonly WatchedOrder[], seen: SeenState): Detection {
  const updates = new Map<number, SeenOrder>();
  const changes: NotifyChange[] = [];
  const listed = new Set<number>();
  for (const order of orders) {
    if (listed.has(order.id)) continue; // listed twice (a page that shifted while it was read): the first counts
    listed.add(order.id);
    const before = seen.orders.get(order.id);
    if (!seen.baseline) {
      updates.set(order.id, signatureOf(order, before?.sequence ?? 0));
      continue;
    }
    if (before && before.state === order.state && before.technicianId === order.technicianId) continue;
    const sequence = (before?.sequence ?? 0) + 1;
    updates.set(order.id, signatureOf(order, sequence));
    changes.push(changeOf(order, before, sequence));
  }
  return { baseline: !seen.baseline, changes, updates };
}

const signatureOf = (order: WatchedOrder, sequence: number): SeenOrder => ({
  state: order.state,
  technicianId: order.technicianId,
  technicianName: order.technicianName,
  sequence,
});

function changeOf(order: WatchedOrder, before: SeenOrder | undefined, sequence: number): NotifyChange {
  return {
    changeId: `${order.id}:${sequence}`,
    orderId: order.id,
    number: order.number,
    equipment: order.equipment,
    state: order.state,
    ...(before ? { previousState: before.state } : {}),
    ...(order.technicianId !== null ? { technicianId: order.technicianId } : {}),
    ...(order.technicianName !== null ? { technicianName: order.technicianName } : {}),
    ...(before?.technicianId != null ? { previousTechnicianId: before.technicianId } : {}),
    ...(before?.technicianName != null ? { previousTechnicianName: before.technicianName } : {}),
    ...(order.requesterId !== null ? { requesterId: order.requesterId } : {}),
    ...(order.state === COMPLETED_STATE && order.observations !== null ? { observations: order.observations } : {}),
  };
}
