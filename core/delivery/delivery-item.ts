import { randomUUID } from 'node:crypto';
import type { OutboundMessage } from '../types.ts';
import type { DeadLetter } from './types.ts';

/** One outbound message on its way through its conversation's lane. */
export interface Item {
  /** Delivery id: kept by its dead letter and by the retries of that dead letter. */
  id: string;
  message: OutboundMessage;
  attempts: number;
  /** Rounds already spent in the dead-letter list (a retried dead letter keeps its count). */
  rounds: number;
  /** Parts of a split message already delivered (kept in the dead letter, so a retry resumes). */
  partsSent: number;
  /** Dispatch order (`DeadLetter.dispatchOrder`): kept across dead-letter rounds. */
  order: number;
  /** The dead letter this item retries automatically: dropped (kept as `superseded`) once a newer message was delivered. */
  origin?: DeadLetter;
  /** Resolves the `dispatch` call that queued the item (once; later calls do nothing). */
  settle: () => void;
}

/** What an item starts from: a new message, or a dead letter taken for a retry. */
export type ItemStart = Pick<Item, 'id' | 'rounds' | 'partsSent' | 'order' | 'origin'>;

/** An item that no `dispatch` call waits for (a message refused at once, a late failure). */
export const detachedItem = (message: OutboundMessage, start: ItemStart, attempts = 0): Item => ({
  ...start,
  message,
  attempts,
  settle: () => {},
});

/** Delivery ids and dispatch orders of this process. */
export function createItemNumbering() {
  let lastOrder = 0;
  let sequence = 0;
  /** Dispatch order: µs since the epoch, strictly increasing here, comparable across processes (to their clocks' skew). */
  const nextOrder = (): number => {
    lastOrder = Math.max(Date.now() * 1000, lastOrder + 1);
    return lastOrder;
  };
  /** Sortable delivery ids: dead letters failing in the same millisecond list in dispatch order. */
  const nextId = (): string => {
    const time = Date.now().toString(36).padStart(9, '0');
    const counter = (sequence++ % 1_679_616).toString(36).padStart(4, '0');
    return `${time}-${counter}-${randomUUID().slice(0, 8)}`;
  };
  /** Where a newly dispatched message starts. */
  const fresh = (): ItemStart => ({ id: nextId(), rounds: 0, partsSent: 0, order: nextOrder() });
  return { nextId, fresh };
}

export type ItemNumbering = ReturnType<typeof createItemNumbering>;
