import type { AnyStateMachine, InspectionEvent, Observer } from 'xstate';
import type { CmmsClient } from '../cmms/client.ts';
import type { EventBus } from '../events/bus.ts';
import type { IdentityService } from '../identity/types.ts';
import type { Logger } from '../log.ts';
import type { ConversationStore } from '../store/types.ts';
import type { OutboundMessage } from '../types.ts';
import type { WorkflowRunner } from '../workflows/types.ts';
import { DEFAULT_CATALOG_DEADLINE_MS } from './equipment-catalog.ts';
import { withoutIdentity } from './identity.ts';
import type { InvocationLog } from './invocations.ts';
import { DEFAULT_CLAIM_LEASE_MS, DEFAULT_DUPLICATE_WAIT_MS } from './message-once.ts';
import type { ConversationModel } from './model.ts';
import type { ConversationRuntime } from './types.ts';

export interface RuntimeOptions {
  /** The conversation machine and what core reads of it, handed over by the composition root. */
  model: ConversationModel;
  store: ConversationStore;
  runner: WorkflowRunner;
  /** The service account's CMMS client; `asUser(token)` is the same CMMS as a linked user. */
  cmms: RuntimeCmms;
  /**
   * Who writes: each user message carries the sender's link (`identity.lookup`) and the policy; the
   * CMMS lookups and workflow runs act as the linked user. Without it: nobody is linked, policy `none`,
   * and linking itself (`issueLink`, `unlinkIdentity`) fails with a clear error.
   */
  identity?: IdentityService;
  /**
   * Where a DAG acting as a user fetches the user's token (`WorkflowConf.credentials_url`). Default:
   * `credentials` next to `callbackUrl` (`…/api/bot/credentials`).
   */
  credentialsUrl?: string;
  /**
   * Also erases what the delivery side keeps of a conversation (its dead letters), when a
   * conversation is erased; never throws for a conversation it does not know.
   */
  eraseDeliveries?: (conversationId: string) => Promise<void>;
  /** Hands one outbound message to its channel (never throws: the dispatcher retries and logs). */
  deliver: (message: OutboundMessage) => Promise<void>;
  bus: EventBus;
  logger: Logger;
  /** Where workflows POST their result (`{PUBLIC_URL}/api/bot/webhook`). */
  callbackUrl: string;
  workflowTimeoutMs: number;
  workflowPollIntervalMs: number;
  dedupTtlMs: number;
  /**
   * How long a claimed message id stays "in progress" without its holder's heartbeat (renewed every
   * third of it while the turn runs); a retried delivery takes over an expired claim. Default 6 s.
   */
  claimLeaseMs?: number;
  /** How long a retried delivery waits for a live holder's answer before a 409 "retry" (default 10 s). */
  duplicateWaitMs?: number;
  maxCommitAttempts?: number;
  /** How long an invoked actor (workflow trigger, equipment lookup) may take before its error path. */
  actorTimeoutMs?: number;
  /**
   * How long a turn waits for the actors it invoked (keep it above `actorTimeoutMs`); past it the
   * turn is refused with 503 and Retry-After (`busy`). Default 30 s.
   */
  busyTimeoutMs?: number;
  /** A hand-off nobody answers for this long goes back to the assistant (default 8 h). */
  handoffTimeoutMs?: number;
  /**
   * How long a typed message's turn may wait for the CMMS equipment catalog while no list is known yet
   * (the model understands the message without it past that; default 1 s). See equipment-catalog.ts.
   */
  catalogDeadlineMs?: number;
  now?: () => number;
  /** Returns an inspection observer for a conversation, or undefined (no cost when off). */
  inspect?: (conversationId: string) => Observer<InspectionEvent> | ((event: InspectionEvent) => void) | undefined;
}

/**
 * What the runtime's lookups ask of the CMMS, as the service account or as a linked user.
 * `listEquipment` is the catalog the model understands messages with (absent: messages are understood
 * without it, equipment codes by their shape only).
 */
export type RuntimeCmms = Pick<CmmsClient, 'findEquipment' | 'findWorkOrder' | 'listUsers'> &
  Partial<Pick<CmmsClient, 'listEquipment'>> & {
    asUser(token: string): Pick<CmmsClient, 'findWorkOrder' | 'listUsers'>;
  };

export interface ConversationRuntimeImpl extends ConversationRuntime {
  /**
   * What is due for a conversation (called by the watcher): its pending workflow run's timeout or
   * status poll, or the expiry of a hand-off nobody answered.
   */
  checkDeadlines(conversationId: string): Promise<void>;
  /**
   * A plain notice from the gateway (no machine event): stored in the transcript, published live
   * and handed to the channel, after the conversation's queued turns. False for an unknown conversation.
   */
  notify(conversationId: string, text: string): Promise<boolean>;
  /**
   * Gets ready to understand messages, without waiting: starts reading the CMMS equipment catalog and
   * reads a first message (a model that trains on first use, the intent classifier, trains now).
   */
  warm(): void;
}

/** The options with every default filled in: what the runtime's parts share. */
export type RuntimeSettings = Required<Omit<RuntimeOptions, 'inspect' | 'eraseDeliveries'>> &
  Pick<RuntimeOptions, 'inspect' | 'eraseDeliveries'>;

/** Each invoked actor gives up after this (its error path); a turn waits for them at most BUSY_TIMEOUT_MS. */
const ACTOR_TIMEOUT_MS = 20_000;
const BUSY_TIMEOUT_MS = 30_000;
const HANDOFF_TIMEOUT_MS = 8 * 3600_000;
const MAX_COMMIT_ATTEMPTS = 50;

export function withDefaults(options: RuntimeOptions): RuntimeSettings {
  return {
    ...options,
    claimLeaseMs: options.claimLeaseMs ?? DEFAULT_CLAIM_LEASE_MS,
    duplicateWaitMs: options.duplicateWaitMs ?? DEFAULT_DUPLICATE_WAIT_MS,
    maxCommitAttempts: options.maxCommitAttempts ?? MAX_COMMIT_ATTEMPTS,
    actorTimeoutMs: options.actorTimeoutMs ?? ACTOR_TIMEOUT_MS,
    busyTimeoutMs: options.busyTimeoutMs ?? BUSY_TIMEOUT_MS,
    handoffTimeoutMs: options.handoffTimeoutMs ?? HANDOFF_TIMEOUT_MS,
    catalogDeadlineMs: options.catalogDeadlineMs ?? DEFAULT_CATALOG_DEADLINE_MS,
    now: options.now ?? Date.now,
    identity: options.identity ?? withoutIdentity(),
    credentialsUrl: options.credentialsUrl ?? new URL('credentials', options.callbackUrl).href,
  };
}

/** What every turn shares: the settings, the machine with its services provided, the invocation log. */
export type TurnSettings = RuntimeSettings & {
  /** `model.machine` with its invoked actors (workflow trigger, equipment lookup) provided. */
  machine: AnyStateMachine;
  invocations: InvocationLog;
  /**
   * A committed turn left the conversation tagged `forget`: erase it once its replies are handed over
   * (queued behind the turn), but the answers under `keep` (the confirming message's own).
   */
  forget(conversationId: string, keep: readonly string[]): void;
  /**
   * Erases the conversation now: for a turn (already in the conversation's queue) that finds it
   * tagged `forget`. A link made after `linkedBefore` (ms; the user linked again since) stays.
   */
  eraseNow(conversationId: string, linkedBefore: number): Promise<void>;
};
