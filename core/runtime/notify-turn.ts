import { ConflictError } from '../errors.ts';
import type { ConversationStore } from '../store/types.ts';
import { type MessageHold, messageKey } from './message-once.ts';
import type { OrderChange, OrderRelation } from './model.ts';
import type { TurnRequest } from './turn-request.ts';
import type { TurnResult } from './types.ts';

/** The id an order change is claimed under in a conversation, as a message id (`notify:<change id>`). */
export const notifyMessageId = (changeId: string) => `notify:${changeId}`;

export interface NotifyTurnParts {
  store: Pick<ConversationStore, 'load'>;
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
 * `ConversationRuntime.notifyOrderChange`: an `order.changed` turn on an existing conversation, once
 * per change id in that conversation. The id is claimed like a user's message id (so once across
 * processes and restarts, a dead attempt taken over, a repeat answered from the first), and the turn
 * has no inbound transcript line. Null when the conversation does not exist (or was erased meanwhile):
 * nobody to tell, and nothing is claimed.
 */
export function notifyOrderChangeTurn(parts: NotifyTurnParts) {
  return async function notifyOrderChange(
    conversationId: string,
    change: OrderChange,
    relation: OrderRelation,
  ): Promise<TurnResult | null> {
    if (!(await parts.store.load(conversationId))) return null;
    const key = messageKey('in', conversationId, notifyMessageId(change.changeId));
    try {
      return await parts.once(key, conversationId, (hold) =>
        parts.turn(conversationId, () => ({
          conversationId,
          event: { type: 'order.changed', change, relation, at: parts.now() },
          participant: null,
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
