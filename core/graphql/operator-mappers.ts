import { isRecord } from '../../lib/is-record.ts';
import type { TimelineActor, TimelineRecord } from '../inspect/timeline.ts';
import type { HandoffEvent, HandoffEventKind } from '../runtime/handoff-events.ts';
import type { ConversationStatus, TranscriptEntry } from '../runtime/types.ts';
import { isConversationStatus, type MessageObject, messageFromEvent } from './mappers.ts';

/** The operators' GraphQL shapes (`handoffs`, `timeline`), from bus payloads checked field by field. */

export interface HandoffEventObject {
  kind: HandoffEventKind;
  conversationId: string;
  channel: string;
  userName: string | null;
  status: ConversationStatus;
  message: MessageObject | null;
  at: string;
}

const KINDS: Record<HandoffEventKind, true> = { started: true, ended: true, user_message: true, agent_message: true };

const isString = (value: unknown): value is string => typeof value === 'string';
const stringOrNull = (value: unknown): string | null => (isString(value) ? value : null);

/** A `topics.handoffs` payload, or null when it is not a hand-off event. */
export function handoffFromEvent(payload: unknown): HandoffEventObject | null {
  if (!isRecord(payload) || !isString(payload.conversationId) || !isString(payload.at)) return null;
  if (!isString(payload.kind) || !Object.hasOwn(KINDS, payload.kind) || !isConversationStatus(payload.status)) {
    return null;
  }
  const event = payload as unknown as HandoffEvent;
  return {
    kind: event.kind,
    conversationId: event.conversationId,
    channel: stringOrNull(payload.channel) ?? '',
    userName: stringOrNull(payload.userName),
    status: event.status,
    message: payload.message ? messageFromEvent(event.conversationId, payload.message as TranscriptEntry) : null,
    at: event.at,
  };
}

function actorOf(value: unknown): TimelineActor | null {
  if (!isRecord(value) || !isString(value.name)) return null;
  return {
    name: value.name,
    input: stringOrNull(value.input),
    output: stringOrNull(value.output),
    error: stringOrNull(value.error),
  };
}

/** A `topics.timeline` payload of `conversationId`, or null when it is not a timeline entry of it. */
export function timelineFromEvent(conversationId: string, payload: unknown): TimelineRecord | null {
  if (!isRecord(payload) || payload.conversationId !== conversationId) return null;
  if (!isString(payload.at) || !isString(payload.event) || !isString(payload.stateAfter)) return null;
  if (typeof payload.version !== 'number') return null;
  const actors = Array.isArray(payload.actors) ? payload.actors.map(actorOf) : [];
  return {
    conversationId,
    at: payload.at,
    channel: stringOrNull(payload.channel) ?? '',
    version: payload.version,
    event: payload.event,
    detail: stringOrNull(payload.detail) ?? '',
    ...(isString(payload.understood) ? { understood: payload.understood } : {}),
    stateBefore: stringOrNull(payload.stateBefore),
    stateAfter: payload.stateAfter,
    actors: actors.filter((actor): actor is TimelineActor => actor !== null),
  };
}
