import type { MessageHold } from './message-once.ts';
import type { ConversationEvent } from './model.ts';
import type { TranscriptEntry } from './types.ts';

/** Who writes: known for a user's message; the stored conversation knows it for any other event. */
export interface Participant {
  channel: string;
  userId: string;
  userName?: string;
}

/** One event for one conversation, and what comes with it. */
export interface TurnRequest {
  conversationId: string;
  event: ConversationEvent;
  /** Null for events on an existing conversation only (workflow results, agents, deadlines). */
  participant: Participant | null;
  /** The user's message as the transcript keeps it. */
  inbound: TranscriptEntry | null;
  /** The claimed message id: the commit also stores the answer under it. */
  hold?: MessageHold | null;
}
