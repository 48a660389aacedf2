import type { OrderRelation } from '../runtime/model.ts';
import type { NotifyChange } from './types.ts';

export type Relation = OrderRelation;

/** Who is told of a change, by CMMS user id: the requester, the technician, or both. */
export interface ChangeAudience {
  /** The requester's user id, when the change is news to them. */
  requester?: number;
  /** The technician's user id, when the change is news to them. */
  technician?: number;
  /** The technician is new on the order: a chat that is both requester and technician is told as technician. */
  newlyAssigned: boolean;
}

/**
 * The contract's rules: the requester hears of an order they already knew (its previous state or
 * technician is known: a brand-new order is not news to whoever asked for it); the technician hears
 * when they are newly assigned or the state changed.
 */
export function audienceOf(change: NotifyChange): ChangeAudience {
  const technicianChanged = (change.technicianId ?? null) !== (change.previousTechnicianId ?? null);
  const newlyAssigned = technicianChanged && change.technicianId !== undefined;
  const stateChanged = change.previousState === undefined || change.previousState !== change.state;
  const known = change.previousState !== undefined || change.previousTechnicianId !== undefined;
  return {
    ...(change.requesterId !== undefined && known ? { requester: change.requesterId } : {}),
    ...(change.technicianId !== undefined && (newlyAssigned || stateChanged)
      ? { technician: change.technicianId }
      : {}),
    newlyAssigned,
  };
}

/**
 * One relation per chat: the chats of the technician and of the requester; a chat that is both
 * (one CMMS user in both roles) is told once, as technician when newly assigned, else as requester.
 */
export function relationByChat(
  audience: ChangeAudience,
  chatsOf: (cmmsUserId: number) => readonly string[],
): Map<string, Relation> {
  const byChat = new Map<string, Relation>();
  if (audience.technician !== undefined) {
    for (const chat of chatsOf(audience.technician)) byChat.set(chat, 'technician');
  }
  if (audience.requester !== undefined) {
    for (const chat of chatsOf(audience.requester)) {
      if (byChat.get(chat) !== 'technician' || !audience.newlyAssigned) byChat.set(chat, 'requester');
    }
  }
  return byChat;
}
