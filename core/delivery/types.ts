import type { Logger } from '../log.ts';
import type { PluginRegistry } from '../plugin.ts';
import type { OutboundMessage } from '../types.ts';

/** A token bucket: `burst` messages at once, then `perSecond` on average. */
export interface BucketLimit {
  burst: number;
  perSecond: number;
}

/** Pacing of one channel: per conversation (chat) and over the whole channel (bot, phone number). */
export interface ChannelLimits {
  perChat?: BucketLimit;
  global?: BucketLimit;
}

/** A message that could not be delivered: kept, inspectable, retried later. */
export interface DeadLetter {
  id: string;
  channel: string;
  conversationId: string;
  message: OutboundMessage;
  /** Error code (`upstream_error`, `rate_limited`, `no_plugin`, …) and the platform's own code when known. */
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

/** The slice of ioredis the dead-letter store uses. */
export interface RedisLike {
  hset(key: string, field: string, value: string): Promise<number>;
  hget(key: string, field: string): Promise<string | null>;
  hdel(key: string, ...fields: string[]): Promise<number>;
  hvals(key: string): Promise<string[]>;
  hlen(key: string): Promise<number>;
}

export interface OutboundDispatcherOptions {
  registry: PluginRegistry;
  logger: Logger;
  /** With a Redis client the dead-letter list survives restarts and is shared by every process. */
  redis?: RedisLike;
  keyPrefix?: string;
  deadLetters?: DeadLetterStore;
  /** Per channel, merged over `DEFAULT_LIMITS`. */
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
  /** The dead-letter list, oldest first. */
  deadLetters(limit?: number): Promise<DeadLetter[]>;
  /** Re-dispatches due dead letters (all of them with `all`); returns how many were taken. */
  retryDeadLetters(opts?: { all?: boolean }): Promise<number>;
  /** Resolves when no message is queued or in flight. */
  idle(): Promise<void>;
  /** Stops timers, cancels retry waits (their messages are dead-lettered), waits for in-flight sends. */
  close(timeoutMs?: number): Promise<void>;
}
