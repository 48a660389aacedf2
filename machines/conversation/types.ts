import type { IdentityPolicy, LinkedIdentity } from '../../core/identity/types.ts';
import type {
  StartWorkflowInput as CoreStartWorkflowInput,
  MessageUnderstanding,
  PendingRun,
} from '../../core/runtime/model.ts';
import type { EquipmentSummary } from '../../core/workflows/results.ts';
import type { DagId } from '../../workflows/catalog.ts';
import type { Priority } from '../intents.ts';

/** The failure report being put together: what the messages said so far, the rest asked one at a time. */
export interface ReportDraft {
  equipment?: EquipmentSummary;
  description?: string;
  priority?: Priority;
}

/** Why the user is asked to link: they asked, a report needs it, another action needs it, the session expired. */
export type LinkReason = 'asked' | 'report' | 'needed' | 'expired';

/**
 * What to go on with once the user has linked: their message handled again (with the new identity),
 * or a workflow run again with the identity's parameters recomputed (a confirmed report, a run whose
 * user token expired).
 */
export type Resume =
  | {
      kind: 'message';
      text?: string;
      action?: string;
      policy?: IdentityPolicy;
      channel?: string;
      /** How the message was understood (with the catalog): the equipment and symptom it named are kept. */
      understood?: MessageUnderstanding;
    }
  | { kind: 'run'; dagId: DagId; params: Record<string, unknown> };

export interface LinkRequest {
  reason: LinkReason;
  resume: Resume | null;
  /** A new link the user asked for while one was awaited (said without the reason again). */
  fresh?: boolean;
  /** The request is kept while a question for information is answered; then the wait goes on. */
  parked?: boolean;
  /** Who the user linked as meanwhile, and when (the kept request goes on once that answer is given). */
  linked?: LinkedIdentity;
  linkedAt?: number;
}

/** The actions on an order that ask for its number when none is given. */
export type OrderAction = 'start_order' | 'complete_order' | 'assign_order';

/** A technician found in the CMMS (a button `technician:<id>`). */
export interface TechnicianChoice {
  id: number;
  fullName: string;
}

/** The order a technician completes or a supervisor assigns, one answer at a time. */
export interface OrderTask {
  numeroot: string;
  /** Completing: the technician's CMMS user id (the order must be assigned to them). */
  userId?: number;
  /** Time of the message that started it (a workflow started after a lookup counts from it). */
  at: number;
  /** Completing: the final observations and the minutes spent. */
  observaciones?: string;
  minutos?: number;
  /** Assigning: the technician as the user wrote it, and the matches offered as buttons. */
  query?: string;
  /** Assigning: a name that matched nobody (every technician is offered instead). */
  missed?: string;
  technicians?: TechnicianChoice[];
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
  /** The catalog codes the equipment mention matched: exactly those are looked up (absent or empty: by query). */
  lookupCodes?: string[];
  /** In a hand-off: whether the user was told once that their messages reach a person. */
  handoffAcknowledged?: boolean;
  /** In a hand-off: the label of the person who answered last ("Ana (supervisora)"). */
  handoffAgent?: string;
  /** In a hand-off: when it started or a person last wrote (the runtime expires it after a while). */
  handoffActiveAt?: number;
  /** While the user is asked to link their CMMS account (absent in snapshots of version 1). */
  link?: LinkRequest | null;
  /** The order being completed or assigned (absent in snapshots of version 1). */
  task?: OrderTask | null;
  /** In `askingWorkOrder`: the action whose order is asked for; absent or null: a status check. */
  asking?: OrderAction | null;
  /**
   * The `linkedAt` of the last link announced or acted on: its `identity.linked` turn, running after a
   * message that already carried the link, says nothing more.
   */
  linkedAnnounced?: string;
  /** The user said "no quiero notificaciones": order changes are not told (absent: told). */
  notificationsOff?: boolean;
  /** A notification was told already (the first one adds how to turn them off). */
  notified?: boolean;
  /** The orders this conversation itself changed lately: their change is not told back to it. */
  ownChanges?: OwnChange[];
  /**
   * The CMMS user this chat is linked to, as the last message (or link) said; null: none. Absent: not
   * known yet (a conversation stored before it was kept that has not written since).
   */
  linkedUserId?: number | null;
}

/** An order state a workflow of this conversation left (its result was told to the user). */
export interface OwnChange {
  orderNumber: string;
  state: string;
  /** The technician the result left on the order (null: none); absent in records of earlier builds. */
  technician?: { id: number | null; name: string | null };
  /** Time of the result (ms). */
  at: number;
}

/** The run the conversation waits for; its workflow is one of the catalog's. */
export type WorkflowRun = PendingRun & { dagId: DagId };

/** The runtime's side of the machine (its input, the reply it emits, its actors' inputs): core's contract. */
export type {
  ConversationInput,
  ConversationOnlyInput,
  FindEquipmentInput,
  FindTechniciansInput,
  FindWorkOrderInput,
  IssuedLink,
  ReplyEmitted,
} from '../../core/runtime/model.ts';

/** Input of the `startWorkflow` actor (provided by the runtime): a run of one of the catalog's workflows. */
export type StartWorkflowInput = CoreStartWorkflowInput & { dagId: DagId };
