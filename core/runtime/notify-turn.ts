import { ConflictError } from '../errors.ts';
import type { IdentityService } from '../identity/types.ts';
import type { ConversationStore } from '../store/types.ts';
import { splitConversationId } from '../types.ts';
import { type MessageHold, messageKey } from './message-once.ts';
import type { OrderChange, OrderRelation } from './model.ts';
import type { Participant, TurnRequest } from './turn-request.ts';
import type { TurnResult } from './types.ts';

/** The key an order change is claimed under in a conversation: its own kind, apart from the users' message ids. */
export const notifyClaimKey = (conversationId: string, changeId: string) =>
  messageKey('notify', conversationId, changeId);

export interface NotifyTurnParts {
  store: Pick<ConversationStore, 'load'>;
  /** Who is linked: a chat still linked whose conversation expired is told on a fresh one. */
  identity?: Pick<IdentityService, 'lookup'>;
  /** The runtime's `processOnce`: the claim, its heartbeat, the first answer to a repeat. */
  once: (
    key: string,
    conversationId: string,
    process: (hold: MessageHold) => Promise<TurnResult>,
  ) => Promise<TurnResult>;
  /** The runtime's queued turn (one at a time per conversation, tracked for shutdown). */
  turn: (conversationId: string, request: () => TurnRequest | Promise<TurnRequest>) => Promise<TurnResult>;
  now: () => number;
}

/**
 * `ConversationRuntime.notifyOrderChange`: an `order.changed` turn, once per change id in that
 * conversation. The id is claimed like a user's message id but under its own kind (so once across
 * processes and restarts, a dead attempt taken over, a repeat answered from the first), and the turn
 * has no inbound transcript line. A chat whose conversation expired (idle past CONVERSATION_TTL) but
 * is still linked is told on a fresh conversation; null when there is neither a conversation nor a
 * link (never one, or erased): nobody to tell, and nothing is claimed.
 */
export function notifyOrderChangeTurn(parts: NotifyTurnParts) {
  /** Read inside the turn (after an erase queued before it, which unlinks the chat). */
  const linked = async (conversationId: string) =>
    parts.identity !== undefined && (await parts.identity.lookup(conversationId)) !== null;

  return async function notifyOrderChange(
    conversationId: string,
    change: OrderChange,
    relation: OrderRelation,
  ): Promise<TurnResult | null> {
    const exists = (await parts.store.load(conversationId)) !== null;
    if (!exists && !(await linked(conversationId))) return null;
    try {
      return await parts.once(notifyClaimKey(conversationId, change.changeId), conversationId, (hold) =>
        parts.turn(conversationId, async () => ({
          conversationId,
          event: { type: 'order.changed', change, relation, at: parts.now() },
          // Only a conversation that is gone may start afresh, and only for a chat still linked.
          participant: !exists && (await linked(conversationId)) ? participantOf(conversationId) : null,
          inbound: null,
          hold,
        })),
      );
    } catch (error) {
      // The only conflict an `order.changed` turn meets: the conversation is gone (erased meanwhile).
      if (error instanceof ConflictError) return null;
      throw error;
    }
  };
}

/** Who a fresh conversation is with: its channel and address (the name comes with their next message). */
function participantOf(conversationId: string): Participant {
  const { channel, address } = splitConversationId(conversationId);
  return { channel, userId: address };
}
