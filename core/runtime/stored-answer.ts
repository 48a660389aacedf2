import type { CommitChanges } from '../store/types.ts';
import type { OutboundMessage } from '../types.ts';
import type { ConversationStatus, TurnResult } from './types.ts';

/**
 * How long a message id's replies are kept for a redelivery (the id itself, with the state it left,
 * is kept DEDUP_TTL_SECONDS; so are replies that are all fixed texts, by reference: answer-codec.ts).
 * Only the web channel answers a redelivery with the replies (REST and GraphQL answer in the body):
 * its clients retry an unanswered request within seconds (409 and 503 carry Retry-After) or minutes
 * (a backend's own retry queue). The webhook channels answer a redelivery with a bare 200, however
 * late: WhatsApp redelivers for up to 7 days, Telegram keeps an unconfirmed update 24 hours, so for
 * them only the id has to last. A redelivery later than this is still answered once, as a duplicate
 * without replies (or with them, when they were fixed texts).
 */
export const REPLIES_KEPT_MS = 60 * 60_000;

/** What is stored of a turn's answer: the replies without the conversation id (the key names it). */
interface StoredAnswer {
  replies?: Omit<OutboundMessage, 'conversationId'>[];
  state: string;
  status: ConversationStatus;
}

/** The lasting part of an answer (kept DEDUP_TTL_SECONDS, one per message id): `[state, status]`. */
type LastingAnswer = [state: string, status: ConversationStatus];

/**
 * The commit's answer as stored: the replies kept REPLIES_KEPT_MS (at most the id's own time; a store
 * keeps fixed ones, by reference, as long as the id), then only the state and status. Nothing is
 * dropped that a duplicate's answer shows.
 */
export function storedAnswerOf(changes: CommitChanges): CommitChanges {
  const { dedup } = changes;
  if (!dedup) return changes;
  const { replies, state, status } = dedup.result as TurnResult;
  const result: StoredAnswer = { replies: replies.map(({ conversationId: _, ...reply }) => reply), state, status };
  const lasting: LastingAnswer = [state, status];
  const kept = Math.min(REPLIES_KEPT_MS, dedup.ttlMs);
  return {
    ...changes,
    dedup: { ...dedup, result, ...(kept < dedup.ttlMs ? { lasting: { result: lasting, afterMs: kept } } : {}) },
  };
}

/**
 * A duplicate's answer from what the first processing stored (this version's forms, earlier versions'
 * `{ state, status }`, or the whole result stored by earlier still): the same replies while they are
 * kept, none after.
 */
export function answerFromStore(stored: unknown, conversationId: string): TurnResult {
  const { replies, state, status } = Array.isArray(stored)
    ? { replies: undefined, state: stored[0] as string, status: stored[1] as ConversationStatus }
    : (stored as StoredAnswer);
  return {
    conversationId,
    replies: (replies ?? []).map((reply) => ({ conversationId, ...reply })),
    state,
    status,
    duplicate: true,
  };
}
