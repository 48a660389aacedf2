import type { AnyStateMachine } from 'xstate';
import type { Reply } from '../../lib/reply.ts';
import type { CmmsUserSummary, WorkOrderSummary } from '../../workflows/cmms.ts';
import type { IdentityPolicy, LinkedIdentity } from '../identity/types.ts';
import type { EquipmentSummary } from '../workflows/results.ts';
import type { WorkflowError } from '../workflows/types.ts';
import type { AgentLabel, OrderChange, OrderRelation } from './order-change.ts';
import type { ConversationStatus } from './types.ts';

/**
 * The runtime's contract with a conversation machine. The machine itself lives outside core, which
 * sees only these types and the `ConversationModel` the composition root hands it.
 */

export type { AgentLabel, OrderChange, OrderRelation, Reply };

export interface UserMessageEvent {
  type: 'user.message';
  text?: string;
  action?: string;
  /** Time of the event (ms); the machine never reads the clock. */
  at: number;
  channel?: string;
  hasAttachments?: boolean;
  /** The sender's display name on the channel (WhatsApp profile, Telegram first name), when known. */
  userName?: string;
  /** The CMMS user the sender is linked to (looked up by the runtime for each message); null: unlinked. */
  identity?: LinkedIdentity | null;
  /** `IDENTITY_REQUIRED` when the message was taken (absent: `none`). */
  identityPolicy?: IdentityPolicy;
  /** What the typed text says, read by the model before the turn (absent for a pressed button). */
  understood?: MessageUnderstanding;
}

/**
 * A typed message as the conversation model understood it (its intent and the values it gave), kept on
 * the event so that the event log, the replay and the inspector show it as it was read.
 */
export interface MessageUnderstanding {
  intent: string;
  /** How it was read: a menu command (exact, free), the keyword rules, or the trained classifier. */
  by: 'menu' | 'rules' | 'classifier';
  /** The classifier's score of the intent (0–1), when it decided. */
  score?: number;
  slots: MessageSlots;
}

/** The values a message gave (see `language/types.ts`); every one absent when not said. */
export interface MessageSlots {
  equipment?: { mention: string; codes: string[]; code?: string };
  description?: string;
  priority?: 'Baja' | 'Media' | 'Alta' | 'Crítica';
  workOrder?: string;
  technician?: string;
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
  /** Who answers: the label the user sees before the text ("Ana (supervisora): …"). */
  agent?: AgentLabel;
  at: number;
}
/** An order the user requested or is assigned to changed: the machine tells them, unless they opted out. */
export interface OrderChangedEvent {
  type: 'order.changed';
  change: OrderChange;
  /** How the recipient relates to the order. */
  relation: OrderRelation;
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
/** The user linked their CMMS account on the link page (or an admin linked it). */
export interface IdentityLinkedEvent {
  type: 'identity.linked';
  identity: LinkedIdentity;
  at: number;
}
/** An admin removed the user's link. */
export interface IdentityUnlinkedEvent {
  type: 'identity.unlinked';
  at: number;
}
export type ConversationEvent =
  | UserMessageEvent
  | IdentityLinkedEvent
  | IdentityUnlinkedEvent
  | WorkflowResultEvent
  | WorkflowTimeoutEvent
  | AgentMessageEvent
  | AgentReleaseEvent
  | HandoffExpireEvent
  | OrderChangedEvent;

export interface PendingRun {
  dagId: string;
  runId: string;
  params: Record<string, unknown>;
  startedAt: number;
  deadline: number;
}

/** What the machine is created with (`createActor(machine, { input })`). */
export interface ConversationInput {
  conversationId: string;
  workflowTimeoutMs: number;
  /** Creation time (ms): a fresh conversation's epoch, so that a replay derives the same run ids. */
  now: number;
}

/** Input of the invoked actor `startWorkflow` (provided by the runtime). */
export interface StartWorkflowInput {
  conversationId: string;
  dagId: string;
  runId: string;
  params: Record<string, unknown>;
}

/** Input of the invoked actor `findEquipment` (provided by the runtime). */
export interface FindEquipmentInput {
  conversationId: string;
  query: string;
  /** The catalog codes the message's mention matched: exactly those are looked up (several: the user picks). */
  codes?: string[];
}

/** Input of the invoked actors that need only the conversation (`issueLink`, `unlinkIdentity`). */
export interface ConversationOnlyInput {
  conversationId: string;
}

/** A one-time link to the link page: `{PUBLIC_URL}/link/<code>`, valid until `expiresAt` (ms). */
export interface IssuedLink {
  url: string;
  expiresAt: number;
}

/** Input of `findWorkOrder`: one order by its number, read with the user's own token. */
export interface FindWorkOrderInput {
  conversationId: string;
  numeroot: string;
}

/** Input of `findTechnicians`: CMMS users with role Técnico whose name or username holds the query. */
export interface FindTechniciansInput {
  conversationId: string;
  query: string;
}

/** The invoked actors the machine leaves to its host, by the name it invokes them. */
export interface ConversationServices {
  startWorkflow(input: StartWorkflowInput): Promise<void>;
  findEquipment(input: FindEquipmentInput): Promise<EquipmentSummary[]>;
  /** A fresh one-time link for the link page (the event log keeps it redacted). */
  issueLink(input: ConversationOnlyInput): Promise<IssuedLink>;
  /** Removes the conversation's link; false when there was none. */
  unlinkIdentity(input: ConversationOnlyInput): Promise<boolean>;
  /** The order (null: no such order), as the linked user may see it (their token; else the service account). */
  findWorkOrder(input: FindWorkOrderInput): Promise<WorkOrderSummary | null>;
  /** Technicians matching the query (the user's token: supervisors and admins may list users). */
  findTechnicians(input: FindTechniciansInput): Promise<CmmsUserSummary[]>;
}

/** The event the machine emits for every reply (`actor.on('reply', …)`). */
export interface ReplyEmitted {
  type: 'reply';
  reply: Reply;
}

/**
 * The tags core reads: `busy` while an invoked actor runs (the turn waits for it), `handoff` while a
 * person answers (agent events are accepted, the hand-off expires), `forget` when the user confirmed
 * "borrar mis datos" (after the turn's replies are handed over, the runtime erases the conversation:
 * its link, snapshot, transcript and event log).
 */
export type ConversationTag = 'busy' | 'handoff' | 'forget';

/** What core reads of a machine snapshot (live, or resolved from a persisted one). */
export interface ConversationSnapshotView {
  value: unknown;
  /** XState's actor status: `error` when the machine failed. */
  status: string;
  context: {
    pending: PendingRun | null;
    /** In a hand-off: when it started or a person last wrote. */
    handoffActiveAt?: number;
  };
  hasTag(tag: ConversationTag): boolean;
  can(event: ConversationEvent): boolean;
}

/** What is waiting in a persisted snapshot: read by the watcher without restoring an actor. */
export interface Waiting {
  pending: PendingRun | null;
  /** Set while the conversation is handed off to a person. */
  handoff: { activeAt?: number } | null;
}

/** What core's runtime, view, metrics and inspection need from a conversation machine. */
export interface ConversationModel {
  /**
   * The XState machine: created with `ConversationInput` or a persisted snapshot, given the
   * `ConversationServices` as actors (`machine.provide({ actors })`), emitting `ReplyEmitted`.
   */
  machine: AnyStateMachine;
  /** Bumped whenever older snapshots are unsafe to restore: the runtime restarts those conversations. */
  version: number;
  /**
   * Older versions whose snapshots this machine still restores as they are (their states and context
   * are a subset of this version's): a version bump that only adds states keeps those conversations.
   * Snapshots of other older versions restart; a newer version is always refused (rolling deploy).
   * Replay stays strict: an event log entry is replayed only under the exact `version` that wrote it.
   */
  readsVersions?: readonly number[];
  /** `reporting.description`-style name of a state value. */
  stateName(value: unknown): string;
  statusOf(snapshot: ConversationSnapshotView): ConversationStatus;
  /** A user message's intent as a metrics label from a bounded set; "" for other events. */
  intentLabel(event: ConversationEvent): string;
  /**
   * What a typed message says (its intent and values), read before its turn and kept on the event as
   * `understood`. `catalog` reads the CMMS's equipment (cached; null when it cannot be read now): a
   * menu command never calls it. Absent: the machine reads the text itself.
   */
  understand?(
    text: string,
    catalog: () => Promise<readonly EquipmentSummary[] | null>,
  ): Promise<MessageUnderstanding | undefined>;
  /** What a persisted snapshot waits for (a workflow run, a person). */
  waitingOf(persisted: unknown): Waiting;
  /** Said first when a user writes to a conversation that was restarted (new version, broken snapshot). */
  conversationRestarted(): Reply;
}
