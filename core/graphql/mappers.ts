import { isRecord } from '../../lib/is-record.ts';
import type { ConversationStatus, ConversationView, PendingWorkflow, TranscriptEntry } from '../runtime/types.ts';
import type { OutboundMessage } from '../types.ts';

/** GraphQL object shapes (enum fields hold the runtime's values; the schema maps their names). */
export interface MessageObject {
  conversationId: string;
  direction: 'in' | 'out';
  text: string;
  buttons: { id: string; title: string }[];
  action: string | null;
  messageId: string | null;
  /** A person's reply in a hand-off: who wrote it ("Ana (supervisora)"). */
  agent: string | null;
  /** lib/reply.ts `ReplyKind` of an assistant's message; null for plain answers and user messages. */
  kind: string | null;
  at: string;
}

export interface PendingWorkflowObject {
  dagId: string;
  runId: string;
  startedAt: string;
  deadline: string;
}

export interface ConversationObject {
  id: string;
  channel: string;
  user: { id: string; name: string | null };
  state: string;
  status: ConversationStatus;
  version: number;
  pendingWorkflow: PendingWorkflowObject | null;
  createdAt: string;
  updatedAt: string;
}

export interface ConversationStateObject {
  conversationId: string;
  state: string | null;
  status: ConversationStatus;
  version: number;
  pendingWorkflow: PendingWorkflowObject | null;
}

/** Every runtime status: a new one does not compile until it is here (and in the schema's enum). */
const STATUSES: Record<ConversationStatus, true> = {
  idle: true,
  awaiting_input: true,
  processing: true,
  handoff: true,
};

export const isConversationStatus = (value: unknown): value is ConversationStatus =>
  typeof value === 'string' && Object.hasOwn(STATUSES, value);

const iso = (ms: number) => new Date(ms).toISOString();

export function pendingWorkflowObject(pending: PendingWorkflow | undefined | null): PendingWorkflowObject | null {
  if (!pending) return null;
  return {
    dagId: pending.dagId,
    runId: pending.runId,
    startedAt: iso(pending.startedAt),
    deadline: iso(pending.deadline),
  };
}

export function conversationObject(view: ConversationView): ConversationObject {
  return {
    id: view.id,
    channel: view.channel,
    user: { id: view.userId, name: view.userName ?? null },
    state: view.state,
    status: view.status,
    version: view.version,
    pendingWorkflow: pendingWorkflowObject(view.pendingWorkflow),
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
  };
}

export function messageObject(entry: TranscriptEntry): MessageObject {
  return {
    conversationId: entry.conversationId,
    direction: entry.direction,
    text: entry.text,
    buttons: entry.buttons ?? [],
    action: entry.action ?? null,
    messageId: entry.messageId ?? null,
    agent: typeof entry.agent === 'string' ? entry.agent : null,
    kind: typeof entry.kind === 'string' ? entry.kind : null,
    at: entry.at,
  };
}

export function replyObject(reply: OutboundMessage, at: string): MessageObject {
  return {
    conversationId: reply.conversationId,
    direction: 'out',
    text: reply.text,
    buttons: reply.buttons ?? [],
    action: null,
    messageId: null,
    agent: reply.agent ?? null,
    kind: reply.kind ?? null,
    at,
  };
}

/** A `topics.messages` payload for `conversationId`, or null when it is not a transcript entry of it. */
export function messageFromEvent(conversationId: string, payload: unknown): MessageObject | null {
  if (!isRecord(payload) || payload.conversationId !== conversationId) return null;
  if (payload.direction !== 'in' && payload.direction !== 'out') return null;
  if (typeof payload.text !== 'string' || typeof payload.at !== 'string') return null;
  return messageObject(payload as unknown as TranscriptEntry);
}

/** A `topics.state` payload for `conversationId`, or null when it is not a state event of it. */
export function stateFromEvent(conversationId: string, payload: unknown): ConversationStateObject | null {
  if (!isRecord(payload) || payload.conversationId !== conversationId) return null;
  if (typeof payload.state !== 'string' || typeof payload.version !== 'number') return null;
  if (!isConversationStatus(payload.status)) return null;
  return {
    conversationId,
    state: payload.state,
    status: payload.status,
    version: payload.version,
    pendingWorkflow: pendingWorkflowObject(payload.pendingWorkflow as PendingWorkflow | undefined),
  };
}

export function stateFromView(conversationId: string, view: ConversationView | null): ConversationStateObject {
  if (!view) return { conversationId, state: null, status: 'idle', version: 0, pendingWorkflow: null };
  return {
    conversationId,
    state: view.state,
    status: view.status,
    version: view.version,
    pendingWorkflow: pendingWorkflowObject(view.pendingWorkflow),
  };
}
