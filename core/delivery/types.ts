import type { Logger } from '../log.ts';
import type { DeliveryMarks } from '../store/delivery-marks.ts';
import type { OutboundMessage } from '../types.ts';

/** A token bucket: `burst` messages at once, then `perSecond` on average. */
export interface BucketLimit {
  burst: number;
  perSecond: number;
}

/** Pacing of one channel: per conversation (chat) and over the whole channel (bot, phone number). */
export interface ChannelLimits {
  perChat?: BucketLimit;
  /** Replaces `perChat` for group chats (an address starting with `-`: Telegram groups and channels). */
  perGroup?: BucketLimit;
  global?: BucketLimit;
}

/**
 * What the dispatcher hands a plugin's `send` besides the message (core/plugin.ts: `send(message, options?)`).
 * A plugin that splits a message into several API calls uses them; one that does not may ignore them.
 */
export interface SendOptions {
  /** Parts already delivered by an earlier attempt (a retry, a retried dead letter): start here. */
  fromPart?: number;
  /** Called after each accepted API call with the number of parts delivered so far. */
  onPartSent?: (partsSent: number) => void;
  /** Awaited before each part after the first of this call: the dispatcher's pacing (one token per API call). */
  beforePart?: (part: number) => Promise<void>;
  /**
   * Records a failure the platform reports later (a WhatsApp `failed` status) in the dead-letter list.
   * `partsSent`: the parts delivered before the failed one (a retry resumes there).
   */
  deadLetter?: (failure: LateFailure) => Promise<void>;
}

/**
 * What a plugin's `send` may resolve to besides nothing (delivered): `held`, the channel did not
 * deliver the message but kept it to deliver later (a WhatsApp user outside the 24-hour window) or
 * dropped it as stale. Not a failure (no retry, no dead letter), and no delivery either: the
 * dispatcher records no delivery mark, so an older dead letter of the conversation is not superseded.
 */
export interface SendOutcome {
  held: true;
}

/** What a channel's `send` resolves to: nothing (delivered), or a `SendOutcome`. */
// biome-ignore lint/suspicious/noConfusingVoidType: a plain `async send(): Promise<void>` stays a valid send
export type SendResult = void | SendOutcome;

/** A failure reported by the platform after it accepted the message. */
export interface LateFailure {
  code: string;
  platformCode?: string | number;
  reason: string;
  retryable: boolean;
  partsSent: number;
}

/** A message that could not be delivered: kept, inspectable, retried later. */
export interface DeadLetter {
  id: string;
  channel: string;
  conversationId: string;
  message: OutboundMessage;
  /** Parts of a split message already delivered: a retry resumes after them. */
  partsSent?: number;
  /**
   * When the message was first dispatched, in µs since the epoch (strictly increasing within a process):
   * an automatic retry is dropped when a message of the conversation dispatched later was delivered.
   * Missing on entries written before it existed (then `failedAt` stands in).
   */
  dispatchOrder?: number;
  /**
   * Error code (`upstream_error`, `rate_limited`, `no_plugin`, …; `superseded`: dropped by the automatic retry
   * because a newer message of the conversation was delivered, the last failure in `reason`) and the
   * platform's own code when known.
   */
  code: string;
  platformCode?: string | number;
  reason: string;
  /** True when a later retry may succeed (5xx, network, rate limit, shutdown). */
  retryable: boolean;
  /** Send attempts in the last round. */
  attempts: number;
  /** How many times the message reached the dead-letter list. */
  rounds: number;
  failedAt: string;
  /** Epoch ms of the next automatic retry; null: only an explicit `retryDeadLetters({ all: true })`. */
  nextRetryAt: number | null;
}

export interface DeadLetterStore {
  add(entry: DeadLetter): Promise<void>;
  /** Oldest first. */
  list(limit?: number): Promise<DeadLetter[]>;
  /** Entries whose automatic retry is due (`nextRetryAt <= now`), soonest first; without it `list` is filtered. */
  due?(now: number, limit: number): Promise<DeadLetter[]>;
  /** Removes and returns an entry; null when another process took it first. */
  take(id: string): Promise<DeadLetter | null>;
  size(): Promise<number>;
}

export interface RetryPolicy {
  /** Attempts per round before the message goes to the dead-letter list. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface DeadLetterPolicy {
  /** How often due dead letters are retried; 0 disables the timer. */
  intervalMs: number;
  /** Delay before the first automatic retry of a dead letter; doubles every round. */
  firstRetryDelayMs: number;
  /** Rounds after which a dead letter waits for an explicit retry. */
  maxRounds: number;
}

/** How many dead letters are kept: the newest `maxEntries`; entries without automatic retry expire. */
export interface DeadLetterRetention {
  /** Default 1,000. */
  maxEntries: number;
  /** Entries with `nextRetryAt: null` older than this are dropped. Default 7 days. */
  parkedTtlMs: number;
}

/** A channel as the dispatcher sees it (core/plugin.ts's `ChannelPlugin` is one). */
export interface DeliveryChannel {
  readonly capabilities: {
    /** Clients read replies instead of being sent them (web): nothing to deliver. */
    readonly readsReplies?: true;
    /** The channel's own send budget; none: unpaced. */
    readonly pacing?: ChannelLimits;
  };
  send(message: OutboundMessage, options?: SendOptions): Promise<SendResult>;
}

/** Where the dispatcher finds a conversation's channel by name (core/plugin.ts's `PluginRegistry` is one). */
export interface ChannelRegistry {
  get(name: string): DeliveryChannel | undefined;
}

export interface OutboundDispatcherOptions {
  registry: ChannelRegistry;
  logger: Logger;
  /**
   * Where dead letters are kept; in Redis (`createRedisDeadLetterStore`) they survive restarts and are
   * shared by every process. Default: in memory, bounded by `retention`.
   */
  deadLetters?: DeadLetterStore;
  /** Bounds of the default (memory) dead-letter list; a Redis one takes its own (`deliveryStateInRedis`). */
  retention?: Partial<DeadLetterRetention>;
  /**
   * Each conversation's last delivery as other processes see it (`createRedisDeliveryMarks`), checked
   * by automatic dead-letter retries. Default: this process only.
   */
  deliveryMarks?: DeliveryMarks;
  /** Per channel, instead of its plugin's `capabilities.pacing` (`{}`: unpaced). */
  limits?: Record<string, ChannelLimits>;
  retry?: Partial<RetryPolicy>;
  deadLetter?: Partial<DeadLetterPolicy>;
  /** Jitter source in [0, 1); tests pass a constant. */
  random?: () => number;
}

export interface OutboundDispatcher {
  /**
   * Sends one message in its conversation's order. Resolves once it is delivered, waiting for a
   * retry (behind a rate limit or a failure), or dead-lettered. Never throws.
   */
  dispatch(message: OutboundMessage): Promise<void>;
  /**
   * Takes one send of the conversation's channel budget (per chat or group, and the channel's own) for
   * an extra API call such as a typing action, if one is free right now; false (take nothing) when
   * none is, when a message of the chat is queued, in flight or held back (rate limit, retry, pacing), for an unknown
   * channel, or once closed. Messages keep priority: this never waits and never goes into debt.
   */
  tryPace(conversationId: string): boolean;
  /** The dead-letter list, oldest first. */
  deadLetters(limit?: number): Promise<DeadLetter[]>;
  /**
   * Re-dispatches due dead letters; returns how many were taken. A due one whose conversation has since
   * had a newer message delivered is not sent but kept as `superseded` (not retryable). With `all` (the
   * admin's explicit retry) every entry is sent, superseded or not.
   */
  retryDeadLetters(opts?: { all?: boolean }): Promise<number>;
  /** Resolves when no message is queued or in flight. */
  idle(): Promise<void>;
  /** Stops timers, cancels retry waits (their messages are dead-lettered), waits for in-flight sends. */
  close(timeoutMs?: number): Promise<void>;
}
