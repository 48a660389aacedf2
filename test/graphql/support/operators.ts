import type { TimelineRecord } from '../../../core/inspect/timeline.ts';
import type { MessageEvent } from './clients.ts';

/** The operators' GraphQL documents and event shapes (handoffs, signed replies, timeline). */

export const HANDOFFS = `subscription {
  handoffs {
    kind conversationId channel userName status at
    message { conversationId direction text agent at }
  }
}`;

export const REPLY_AS_AGENT = `mutation Reply($id: ID!, $text: String!, $name: String, $role: String) {
  replyAsAgent(conversationId: $id, text: $text, agentName: $name, agentRole: $role) {
    conversationId status replies { conversationId direction text agent at }
  }
}`;

export const RELEASE = `mutation Release($id: ID!) {
  releaseHandoff(conversationId: $id) { conversationId status }
}`;

const TIMELINE_FIELDS = `conversationId at channel version event detail stateBefore stateAfter
  actors { name input output error }`;

export const TIMELINE = `query Timeline($id: ID!, $last: Int) {
  timeline(conversationId: $id, last: $last) { ${TIMELINE_FIELDS} }
}`;

export const TIMELINE_LIVE = `subscription Timeline($id: ID!) {
  timeline(conversationId: $id) { ${TIMELINE_FIELDS} }
}`;

export interface HandoffEventData {
  kind: 'STARTED' | 'ENDED' | 'USER_MESSAGE' | 'AGENT_MESSAGE';
  conversationId: string;
  channel: string;
  userName: string | null;
  status: string;
  at: string;
  message: (Pick<MessageEvent, 'conversationId' | 'direction' | 'text' | 'at'> & { agent: string | null }) | null;
}

/** A `timeline` entry as the API answers it: the record core/inspect/timeline.ts builds, field for field. */
export type TimelineEntryData = TimelineRecord;
