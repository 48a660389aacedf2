import type { WorkflowError } from '../workflows/types.ts';

/**
 * The runtime's contract with a conversation machine. The machine itself lives in `machines/`; core
 * sees only these types and the `ConversationModel` the composition root hands it.
 */

/** One reply of the assistant: a text and, where the channel can, buttons. */
export interface Reply {
  text: string;
  buttons?: { id: string; title: string }[];
}

export interface UserMessageEvent {
  type: 'user.message';
  text?: string;
  action?: string;
  /** Time of the event (ms); the machine never reads the clock. */
  at: number;
  channel?: string;
  hasAttachments?: boolean;
}
export interface WorkflowResultEvent {
  type: 'workflow.result';
  runId: string;
  dagId: string;
  status: 'success' | 'failed';
  result?: unknown;
  error?: WorkflowError;
  at: number;
}
export interface WorkflowTimeoutEvent {
  type: 'workflow.timeout';
  runId: string;
  at: number;
}
export interface AgentMessageEvent {
  type: 'agent.message';
  text: string;
  at: number;
}
export interface AgentReleaseEvent {
  type: 'agent.release';
  at: number;
}
/** Sent by the runtime when nobody answered a hand-off for HANDOFF_TIMEOUT_MS. */
export interface HandoffExpireEvent {
  type: 'handoff.expire';
  at: number;
}
export type ConversationEvent =
  | UserMessageEvent
  | WorkflowResultEvent
  | WorkflowTimeoutEvent
  | AgentMessageEvent
  | AgentReleaseEvent
  | HandoffExpireEvent;

export interface PendingRun {
  dagId: string;
  runId: string;
  params: Record<string, unknown>;
  startedAt: number;
  deadline: number;
}
