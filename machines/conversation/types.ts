import type { PendingRun, Reply } from '../../core/runtime/model.ts';
import type { EquipmentSummary } from '../../core/workflows/results.ts';
import type { DagId } from '../../workflows/catalog.ts';
import type { Priority } from '../intents.ts';

/** The failure report being put together, one answer at a time. */
export interface ReportDraft {
  equipment?: EquipmentSummary;
  description?: string;
  priority?: Priority;
}

export interface ConversationContext {
  conversationId: string;
  workflowTimeoutMs: number;
  /** Distinguishes this conversation from an earlier one with the same id (run ids never repeat). */
  epoch: number;
  /** Workflows started so far. */
  turn: number;
  pending: WorkflowRun | null;
  draft: ReportDraft;
  candidates: EquipmentSummary[];
  lookupQuery: string;
  /** In a hand-off: whether the user was told once that their messages reach a person. */
  handoffAcknowledged?: boolean;
  /** In a hand-off: when it started or a person last wrote (the runtime expires it after a while). */
  handoffActiveAt?: number;
}

/** The run the conversation waits for; its workflow is one of the catalog's. */
export type WorkflowRun = PendingRun & { dagId: DagId };

export interface ConversationInput {
  conversationId: string;
  workflowTimeoutMs: number;
  /** Creation time (ms). */
  now: number;
}

/** What the machine emits: one reply to the user. */
export interface ReplyEmitted {
  type: 'reply';
  reply: Reply;
}

/** Input of the `findEquipment` actor (provided by the runtime). */
export interface FindEquipmentInput {
  conversationId: string;
  query: string;
}

/** Input of the `startWorkflow` actor (provided by the runtime). */
export interface StartWorkflowInput {
  conversationId: string;
  dagId: DagId;
  runId: string;
  params: Record<string, unknown>;
}
