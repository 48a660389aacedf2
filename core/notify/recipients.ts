import type { OrderRelation } from '../runtime/model.ts';
import type { NotifyChange } from './types.ts';

export type Relation = OrderRelation;

/** Who is told of a change, by CMMS user id: the requester, the technician, the technician before. */
export interface ChangeAudience {
  /** The requester's user id, when the change is news to them. */
  requester?: number;
  /** The technician's user id, when the change is news to them. */
  technician?: number;
  /** The technician the order had before, when it has another one now or none. */
  formerTechnician?: number;
  /** The technician is new on the order: a chat that is both requester and technician is told as technician. */
  newlyAssigned: boolean;
}

/**
 * The contract's rules: the requester hears of an order they already knew (its previous state or
 * technician is known: a brand-new order is not news to whoever asked for it); the technician hears
 * when they are newly assigned or the state changed; the technician before hears that they lost it.
 * The CMMS makes whoever reports a failure its technician: on a new order the requester as technician
 * is no assignment (nobody is told), and when a real technician takes it later the requester hears it
 * as requester, not as a technician who lost it.
 */
export function audienceOf(change: NotifyChange): ChangeAudience {
  const technicianChanged = (change.technicianId ?? null) !== (change.previousTechnicianId ?? null);
  const known = change.previousState !== undefined || change.previousTechnicianId !== undefined;
  const reporterAsTechnician =
    !known && change.technicianId !== undefined && change.technicianId === change.requesterId;
  const newlyAssigned = technicianChanged && change.technicianId !== undefined && !reporterAsTechnician;
  const stateChanged = change.previousState === undefined || change.previousState !== change.state;
  const lostIt =
    technicianChanged &&
    change.previousTechnicianId !== undefined &&
    change.previousTechnicianId !== change.requesterId;
  return {
    ...(change.requesterId !== undefined && known ? { requester: change.requesterId } : {}),
    ...(change.technicianId !== undefined && !reporterAsTechnician && (newlyAssigned || stateChanged)
      ? { technician: change.technicianId }
      : {}),
    ...(lostIt ? { formerTechnician: change.previousTechnicianId } : {}),
    newlyAssigned,
  };
}

/** The users a change may be told to (each one's chats are looked up). */
export function audienceUsers(audience: ChangeAudience): number[] {
  return [audience.requester, audience.technician, audience.formerTechnician].filter(
    (userId): userId is number => userId !== undefined,
  );
}

/**
 * One relation per chat: the chats of the technician, the technician before and the requester; a chat
 * in two of them (one CMMS user in two roles) is told once: as technician when newly assigned, else as
 * the technician who lost the order, else as requester.
 */
export function relationByChat(
  audience: ChangeAudience,
  chatsOf: (cmmsUserId: number) => readonly string[],
): Map<string, Relation> {
  const rank = (relation: Relation) =>
    relation === 'technician' ? (audience.newlyAssigned ? 3 : 0) : relation === 'former_technician' ? 2 : 1;
  const byChat = new Map<string, Relation>();
  const tell = (userId: number | undefined, relation: Relation) => {
    if (userId === undefined) return;
    for (const chat of chatsOf(userId)) {
      const told = byChat.get(chat);
      if (told === undefined || rank(relation) > rank(told)) byChat.set(chat, relation);
    }
  };
  tell(audience.technician, 'technician');
  tell(audience.formerTechnician, 'former_technician');
  tell(audience.requester, 'requester');
  return byChat;
}
