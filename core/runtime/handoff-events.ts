import { type BusEvent, type EventBus, topics } from '../events/bus.ts';
import { timelineRecord } from '../inspect/timeline.ts';
import type { Logger } from '../log.ts';
import { splitConversationId } from '../types.ts';
import type { PreparedTurn } from './prepared-turn.ts';
import type { ConversationStatus, TranscriptEntry } from './types.ts';

/**
 * What operators follow of a committed turn, on the event bus (every process): the hand-off events
 * of every conversation (`topics.handoffs`: a conversation starts or stops waiting for a person, its
 * user writes while it waits, a person answers) and the conversation's new event-log entry
 * (`topics.timeline`). Fire and forget: nothing here may fail a turn that is already committed.
 */

export type HandoffEventKind = 'started' | 'ended' | 'user_message' | 'agent_message';

export interface HandoffEvent {
  kind: HandoffEventKind;
  conversationId: string;
  channel: string;
  userName?: string;
  /** The conversation's status after the turn. */
  status: ConversationStatus;
  /** The transcript line (as stored: link codes redacted): the user's message, the person's answer. */
  message?: TranscriptEntry;
  at: string;
}

/**
 * The hand-off events of a committed turn, in order; `handedOff`: the stored conversation was handed
 * off before the turn (a conversation that started afresh, `stateBefore` null, was not).
 */
export function handoffEventsOf(turn: PreparedTurn, handedOff: boolean): HandoffEvent[] {
  const { conversationId, status } = turn.result;
  const [logEntry] = turn.changes.events;
  const { meta, transcript } = turn.changes;
  const wasHandoff = handedOff && logEntry?.stateBefore !== null;
  const isHandoff = status === 'handoff';
  if (!wasHandoff && !isHandoff) return [];
  const base = {
    conversationId,
    channel: meta.channel,
    ...(meta.userName ? { userName: meta.userName } : {}),
    status,
    at: logEntry?.at ?? new Date().toISOString(),
  };
  const inbound = transcript.find((entry) => entry.direction === 'in');
  const withMessage = (kind: HandoffEventKind, message: TranscriptEntry | undefined): HandoffEvent => ({
    kind,
    ...base,
    ...(message ? { message } : {}),
  });
  if (!wasHandoff) return [withMessage('started', inbound)];
  const events: HandoffEvent[] = [];
  if (inbound) events.push(withMessage('user_message', inbound));
  if (logEntry?.event.type === 'agent.message') {
    for (const said of transcript.filter((entry) => entry.direction === 'out')) {
      events.push(withMessage('agent_message', said));
    }
  }
  if (!isHandoff) events.push(withMessage('ended', undefined));
  return events;
}

/** The turn's hand-off events and its timeline entry, to publish after its own (never throws). */
export function operatorEventsOf(
  logger: Logger,
  turn: PreparedTurn,
  handedOff: boolean,
  events: BusEvent[],
): BusEvent[] {
  const { conversationId } = turn.result;
  try {
    for (const event of handoffEventsOf(turn, handedOff)) events.push([topics.handoffs, event]);
    for (const entry of turn.changes.events) {
      events.push([topics.timeline(conversationId), timelineRecord(conversationId, entry)]);
    }
  } catch (error) {
    logger.warn({ err: error, conversationId }, 'could not publish the operator events of a turn');
  }
  return events;
}

/** A handed-off conversation was erased (personal data): operators see it leave the waiting list. */
export function publishErasedHandoff({ bus, now }: { bus: EventBus; now: () => number }, conversationId: string): void {
  const event: HandoffEvent = {
    kind: 'ended',
    conversationId,
    channel: splitConversationId(conversationId).channel,
    status: 'idle',
    at: new Date(now()).toISOString(),
  };
  bus.publish(topics.handoffs, event);
}
