import { OmnibotError } from '../errors.ts';
import type { TranscriptEntry } from '../runtime/types.ts';

/** Per-conversation facts kept beside the machine snapshot. */
export interface ConversationMeta {
  channel: string;
  userId: string;
  userName?: string;
  machineVersion: number;
  createdAt: string;
  updatedAt: string;
  /**
   * Committed by the turn that confirmed "borrar mis datos" (its new state has the tag `forget`): the
   * conversation is erased once that turn's replies are out, or by the next turn that loads it.
   */
  erasing?: true;
}

export interface StoredConversation {
  /** Increases by one on every save; the compare-and-set token. */
  version: number;
  snapshot: unknown;
  meta: ConversationMeta;
}

/** One machine event as it went in, for history and replay (the inspector). */
export interface EventLogEntry {
  at: string;
  event: Record<string, unknown>;
  stateBefore: string | null;
  stateAfter: string;
  version: number;
  channel?: string;
  /** The machine version that processed the event (replay refuses other versions). */
  machineVersion?: number;
  /** What the invoked actors returned during this event, in order, so a replay needs no I/O. */
  invocations?: Invocation[];
}

export interface Invocation {
  src: string;
  output?: unknown;
  error?: { code?: string; reason?: string; message: string };
}

export interface CommitChanges {
  snapshot: unknown;
  meta: ConversationMeta;
  events: EventLogEntry[];
  transcript: TranscriptEntry[];
  /** Absolute time (ms) at which the workflow watcher should look at this conversation; null: never. */
  checkAt: number | null;
  /** Completes a claimed message id with its answer in the same atomic write (kept for `ttlMs`). */
  dedup?: {
    key: string;
    token: string;
    result: unknown;
    ttlMs: number;
    /**
     * The part of the answer a late redelivery still needs (not the replies, only those who read them
     * retry that late): a store may keep `lasting.result` instead of `result` once `afterMs` has
     * passed, until `ttlMs`. Without it, `result` is kept all along.
     */
    lasting?: { result: unknown; afterMs: number };
  };
}

/** `claimed` carries the claim's token: only its holder may answer or release the message id. */
export type MessageClaim =
  | { state: 'claimed'; token: string }
  | { state: 'pending' }
  | { state: 'done'; result: unknown };

/**
 * A key the commit must write holds another type (data left by an older key layout): nothing was
 * written. 409: retrying will not help until that data expires.
 */
export class StoreKeyTypeError extends OmnibotError {
  constructor(conversationId: string) {
    super('store_conflict', 'this conversation cannot be saved: its stored keys hold unexpected types', 409, {
      conversationId,
    });
  }
}

/**
 * A commit carrying a message's answer found the id claimed by someone else (the lease ran out and a
 * redelivery took it): nothing was written; the other holder answers.
 */
export class ClaimLostError extends OmnibotError {
  constructor(key: string) {
    super('claim_lost', `the claim on ${key} was taken over`, 409);
  }
}

export interface ConversationStore {
  load(conversationId: string): Promise<StoredConversation | null>;
  /**
   * Saves if the stored version still equals `expectedVersion` (0 = not stored yet), atomically with
   * the log and transcript appends and the watcher schedule. Returns the new version, or null on a
   * version conflict (nothing written). With `dedup`, throws `ClaimLostError` (nothing written) when
   * the message id is no longer held with that token.
   */
  commit(conversationId: string, expectedVersion: number, changes: CommitChanges): Promise<number | null>;
  readEvents(conversationId: string, limit?: number): Promise<EventLogEntry[]>;
  readTranscript(conversationId: string, limit?: number): Promise<TranscriptEntry[]>;
  /** Appends outside a commit (delivery receipts); no version change. */
  appendEvent(conversationId: string, entry: EventLogEntry): Promise<void>;
  /**
   * Claims a message id of a conversation once: `claimed` for the first caller. The claim lasts
   * `leaseMs` unless its holder renews it; an expired or released claim is claimed again (its holder
   * is presumed dead). `key` is the runtime's `messageKey`; the conversation id places it (the same
   * shard as the conversation's keys): claim, renew, release, the answering commit (`dedup.key`) and
   * `erase`'s `keep` must name the same conversation.
   */
  claimMessage(conversationId: string, key: string, leaseMs: number): Promise<MessageClaim>;
  /**
   * Extends the holder's claim by `leaseMs` (its heartbeat). A late renewal, after the claim expired
   * and nobody claimed the id since, claims it again. False once answered, released or taken over.
   */
  renewMessage(conversationId: string, key: string, token: string, leaseMs: number): Promise<boolean>;
  /**
   * Releases a claim whose processing failed, so a retried delivery is processed (only the holder's).
   * For good: its holder can no longer renew it (a renewal still on its way included).
   */
  releaseMessage(conversationId: string, key: string, token: string): Promise<void>;
  /** Conversation ids due for a watcher check at `now`; each is pushed `leaseMs` ahead atomically. */
  claimDueChecks(now: number, leaseMs: number, limit: number): Promise<string[]>;
  /** Takes a conversation off the watcher's schedule (nothing left to wait for). */
  clearCheck(conversationId: string): Promise<void>;
  /** Most recently updated first. */
  listConversations(offset: number, limit: number): Promise<{ total: number; ids: string[] }>;
  /**
   * Erases a conversation for good (personal data): snapshot, meta, transcript, event log, its
   * watcher schedule, its place in the list, and the answers kept under its message ids (a claim
   * still held stays: its turn ends). Its next message starts a fresh conversation. The answers under
   * `keep` (message-id keys as claimed) stay too: the confirming message's own answer, so that its
   * redelivery gets the same answer instead of starting a new conversation.
   */
  erase(conversationId: string, keep?: readonly string[]): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * What a message id belongs to, each kind its own keys: a user's message (`in`, the id chosen by the
 * channel or a REST client), a workflow run's result (`workflow`), an order change told (`notify`):
 * no client-chosen id can take a notification's place. An erase drops the answers of every kind.
 */
export const MESSAGE_KINDS = ['in', 'workflow', 'notify'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/**
 * The start of a conversation's message-id keys (`in:<n>:<id>:`, `workflow:<n>:<id>:`,
 * `notify:<n>:<id>:`; the runtime's `messageKey`): the length makes it match no other conversation's keys.
 */
export const messageKeyPrefix = (kind: MessageKind, conversationId: string) =>
  `${kind}:${conversationId.length}:${conversationId}:`;

/** How long a released claim's tombstone outlives it: longer than any renewal can stay on its way. */
export const RELEASED_TTL_MS = 10 * 60_000;
