import type { ReplyKind } from '../../lib/reply.ts';
import type { LinkedIdentity } from '../identity/types.ts';
import type { InboundMessage, OutboundMessage } from '../types.ts';
import type { WorkflowCallback } from '../workflows/types.ts';
import type { AgentLabel, OrderChange, OrderRelation } from './order-change.ts';

/** What a user sees of a conversation's state. */
export type ConversationStatus = 'idle' | 'awaiting_input' | 'processing' | 'handoff';

export interface TurnResult {
  conversationId: string;
  /** Replies produced by this turn, in order (already dispatched to the channel). */
  replies: OutboundMessage[];
  /** The machine's state value, dotted (`reporting.description`). */
  state: string;
  status: ConversationStatus;
  /** True when the message id had been processed before: `replies` are the first answer's. */
  duplicate: boolean;
}

/** One line of a conversation's transcript (what was said, both ways). */
export interface TranscriptEntry {
  conversationId: string;
  direction: 'in' | 'out';
  text: string;
  buttons?: { id: string; title: string }[];
  /** For inbound: the pressed button's payload. */
  action?: string;
  /** For inbound: the channel's message id. */
  messageId?: string;
  /** For a person's reply in a hand-off: their label ("Ana (supervisora)"). */
  agent?: string;
  /** For outbound: what the reply is (lib/reply.ts), when not a plain answer. */
  kind?: ReplyKind;
  at: string;
}

/** A delivery receipt reported by a channel (WhatsApp `statuses[]`). */
export interface DeliveryStatus {
  messageId: string;
  status: string;
  at: string;
  recipientId?: string;
  errors?: unknown[];
}

export interface PendingWorkflow {
  dagId: string;
  runId: string;
  startedAt: number;
  deadline: number;
}

export interface ConversationView {
  id: string;
  channel: string;
  userId: string;
  userName?: string;
  state: string;
  status: ConversationStatus;
  version: number;
  machineVersion: number;
  pendingWorkflow?: PendingWorkflow;
  createdAt: string;
  updatedAt: string;
}

export interface ReceiveOptions {
  /**
   * Called once the message is known to be new work (not a duplicate being answered from the store),
   * before its turn; what it throws (e.g. a rate-limit refusal) is the answer and the id stays unclaimed.
   */
  admit?: () => Promise<void>;
  /**
   * The channel's last look at the message before its turn (e.g. SMS reads a reply "2" as the second
   * button it offered). Runs inside the turn, after this conversation's earlier turns in this process,
   * and again when a commit conflict restarts the turn, so it sees what they wrote. What it throws
   * fails the receive (the claim is released): the caller's retry tries again.
   */
  prepare?: (message: InboundMessage) => Promise<InboundMessage>;
}

/** The single entry point through which anything changes a conversation. */
export interface ConversationRuntime {
  /**
   * A user message from any channel: dedup on the message id within its conversation
   * (`conversationId:id`), one turn, replies dispatched.
   */
  receive(message: InboundMessage, opts?: ReceiveOptions): Promise<TurnResult>;
  /** A workflow's signed callback (already verified): 409 for unknown conversations or stale runs. */
  deliverWorkflowResult(callback: WorkflowCallback): Promise<TurnResult>;
  /** A person's message in a handed-off conversation (409 when it is not handed off). */
  agentReply(conversationId: string, text: string, agent?: AgentLabel): Promise<TurnResult>;
  /**
   * Tells the conversation's user that an order changed: an `order.changed` turn, once per
   * `change.changeId` in that conversation across processes and restarts (claimed like a message id).
   * Null for an unknown conversation; a repeated change id gets the first answer (`duplicate: true`).
   */
  notifyOrderChange(conversationId: string, change: OrderChange, relation: OrderRelation): Promise<TurnResult | null>;
  /** Ends a hand-off: the assistant answers again (409 when it is not handed off). */
  releaseHandoff(conversationId: string): Promise<TurnResult>;
  /**
   * The conversation's user linked a CMMS account (link page, admin): an `identity.linked` turn (the
   * user is told on their channel; a report waiting for the link goes on). 409 for an unknown conversation.
   */
  identityLinked(conversationId: string, identity: LinkedIdentity): Promise<TurnResult>;
  /** An admin removed the link: an `identity.unlinked` turn (the user is told). */
  identityUnlinked(conversationId: string): Promise<TurnResult>;
  /** Erases the conversation (personal data): its snapshot, transcript, event log and link. */
  erase(conversationId: string): Promise<void>;
  /** Records a channel delivery receipt in the conversation's event log (no machine transition). */
  recordDeliveryStatus(conversationId: string, status: DeliveryStatus): Promise<void>;
  getConversation(conversationId: string): Promise<ConversationView | null>;
  transcript(conversationId: string, limit?: number): Promise<TranscriptEntry[]>;
  /** Background work (webhooks answered before processing) that shutdown must wait for. */
  track(work: Promise<unknown>): void;
  /** Waits for in-flight turns and tracked work. */
  drain(timeoutMs: number): Promise<void>;
}
