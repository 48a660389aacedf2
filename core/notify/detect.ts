import type { NotifyChange, SeenOrder, SeenState, WatchedOrder } from './types.ts';

/** The state a completed order is in (the `completar_ot` workflow's): only then are its observations news. */
const COMPLETED_STATE = 'Completada';

export interface Detection {
  /** True on the first look (no seen state): everything is recorded, nothing is told. */
  baseline: boolean;
  /** When the baseline was taken (ms): this look's time on a baseline, else the recorded one. */
  epoch: number;
  changes: NotifyChange[];
  /** What to remember, by order id: every order on a baseline, else the changed and the new ones. */
  updates: Map<number, SeenOrder>;
}

/**
 * Compares the orders now with what was seen (the same rules as the `notificar_cambios_ot` DAG): an
 * order's signature is its state name and its technician id. The first look (no baseline) records
 * every order at sequence `now` (ms) and tells nothing. After it, an order whose signature moved is
 * a change, and so is an order not seen before (no previous state). Each change counts its order's
 * sequence up by one: the change id is `<order id>:<sequence>`. The new sequence is recorded before
 * anyone is told, so a later state always gets a new id; and as a baseline starts at its own time, a
 * new baseline (the seen state deleted, the DAG taking over from the poller) never reuses an id.
 */
export function detectChanges(orders: readonly WatchedOrder[], seen: SeenState, now = Date.now()): Detection {
  const epoch = seen.baseline ? seen.epoch : now;
  const updates = new Map<number, SeenOrder>();
  const changes: NotifyChange[] = [];
  const listed = new Set<number>();
  for (const order of orders) {
    if (listed.has(order.id)) continue; // listed twice (a page that shifted while it was read): the first counts
    listed.add(order.id);
    const before = seen.orders.get(order.id);
    if (!seen.baseline) {
      // A sequence never goes down (an order left from an earlier record keeps counting up).
      updates.set(order.id, signatureOf(order, Math.max(epoch, before?.sequence ?? 0)));
      continue;
    }
    if (before && before.state === order.state && before.technicianId === order.technicianId) continue;
    const sequence = (before ? before.sequence : epoch) + 1;
    updates.set(order.id, signatureOf(order, sequence));
    changes.push(changeOf(order, before, sequence));
  }
  return { baseline: !seen.baseline, epoch, changes, updates };
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
    ...(order.equipmentCode !== null ? { equipmentCode: order.equipmentCode } : {}),
    state: order.state,
    ...(before ? { previousState: before.state } : {}),
    ...(order.technicianId !== null ? { technicianId: order.technicianId } : {}),
    ...(order.technicianName !== null ? { technicianName: order.technicianName } : {}),
    ...(before?.technicianId != null ? { previousTechnicianId: before.technicianId } : {}),
    ...(before?.technicianName != null ? { previousTechnicianName: before.technicianName } : {}),
    ...(order.requesterId !== null ? { requesterId: order.requesterId } : {}),
    ...(order.state === COMPLETED_STATE && order.observations !== null ? { observations: order.observations } : {}),
    ...(order.priority !== null ? { priority: order.priority } : {}),
    ...(order.description !== null ? { description: order.description } : {}),
  };
}
