import type { StartWorkflowInput as CoreStartWorkflowInput, PendingRun } from '../../core/runtime/model.ts';
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

/** The runtime's side of the machine (its input, the reply it emits, its actors' inputs): core's contract. */
export type { ConversationInput, FindEquipmentInput, ReplyEmitted } from '../../core/runtime/model.ts';

/** Input of the `startWorkflow` actor (provided by the runtime): a run of one of the catalog's workflows. */
export type StartWorkflowInput = CoreStartWorkflowInput & { dagId: DagId };
