import type { BucketLimit, ChannelLimits } from './types.ts';

/** A token bucket that reserves: a caller may go negative and waits the returned time. */
export class TokenBucket {
  readonly #limit: BucketLimit;
  #tokens: number;
  #at: number;

  constructor(limit: BucketLimit, now: number) {
    this.#limit = limit;
    this.#tokens = limit.burst;
    this.#at = now;
  }

  #refill(now: number): void {
    const elapsed = Math.max(0, now - this.#at) / 1000;
    this.#tokens = Math.min(this.#limit.burst, this.#tokens + elapsed * this.#limit.perSecond);
    this.#at = now;
  }

  /** Takes one token; returns how many ms the caller must wait before using it (0: now). */
  take(now: number): number {
    this.#refill(now);
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens / this.#limit.perSecond) * 1000);
  }

  /** True when a whole token is free now (taking it would not make anyone wait). */
  hasToken(now: number): boolean {
    this.#refill(now);
    return this.#tokens >= 1;
  }

  /** True when the bucket is back to its burst (nothing to remember). */
  isFull(now: number): boolean {
    this.#refill(now);
    return this.#tokens >= this.#limit.burst;
  }
}

const MAX_TRACKED_CHATS = 10_000;
/** Idle buckets looked at (and dropped) per reservation: the map shrinks without full scans. */
const PRUNE_PER_RESERVE = 2;

/** A Telegram group member's conversation (`telegram:-100…:<user>`) is paced as its group chat. */
export const chatKeyOf = (conversationId: string) => conversationId.split(':', 2).join(':');

/** A group chat: an address starting with `-` (`telegram:-1001234567890`). */
const isGroup = (chatKey: string) => chatKey.slice(chatKey.indexOf(':') + 1).startsWith('-');

/**
 * Pacing of one channel (its own budget: `capabilities.pacing`, declared in plugins/<channel>/): the
 * wait before the next message to `chatKey` may be sent. Per-chat buckets
 * are kept least recently used first: each reservation drops a couple of idle (full) ones from the
 * front, and above `maxTracked` the least recently used is dropped whatever its state.
 */
export class ChannelPacer {
  readonly #limits: ChannelLimits;
  readonly #global: TokenBucket | null;
  readonly #chats = new Map<string, TokenBucket>();
  readonly #maxTracked: number;

  constructor(limits: ChannelLimits, now: number, opts: { maxTracked?: number } = {}) {
    this.#limits = limits;
    this.#global = limits.global ? new TokenBucket(limits.global, now) : null;
    this.#maxTracked = Math.max(1, opts.maxTracked ?? MAX_TRACKED_CHATS);
  }

  /** Chats whose pacing state is remembered. */
  get tracked(): number {
    return this.#chats.size;
  }

  /** Takes a token of the chat's budget (and the channel's) for a message: the ms to wait before sending it. */
  reserve(conversationId: string, now: number): number {
    const global = this.#global ? this.#global.take(now) : 0;
    const bucket = this.#chatBucket(conversationId, now);
    return Math.max(global, bucket ? bucket.take(now) : 0);
  }

  /**
   * Takes a token of the chat's budget and the channel's only when both have one free now (an extra
   * call that must not delay messages: a message waiting for its turn has already spent what is free).
   */
  tryTake(conversationId: string, now: number): boolean {
    const bucket = this.#chatBucket(conversationId, now);
    if (bucket && !bucket.hasToken(now)) return false;
    if (this.#global && !this.#global.hasToken(now)) return false;
    bucket?.take(now);
    this.#global?.take(now);
    return true;
  }

  /** The chat's bucket (made on first use, marked most recently used); null when the channel has no per-chat budget. */
  #chatBucket(conversationId: string, now: number): TokenBucket | null {
    const chatKey = chatKeyOf(conversationId);
    const limit = (isGroup(chatKey) ? this.#limits.perGroup : undefined) ?? this.#limits.perChat;
    if (!limit) return null;
    let bucket = this.#chats.get(chatKey);
    if (bucket) this.#chats.delete(chatKey);
    else bucket = new TokenBucket(limit, now);
    this.#forgetIdle(now);
    while (this.#chats.size >= this.#maxTracked) this.#chats.delete(this.#chats.keys().next().value!);
    // Re-inserted: the map's order is least recently used first.
    this.#chats.set(chatKey, bucket);
    return bucket;
  }

  #forgetIdle(now: number): void {
    let looked = 0;
    for (const [key, bucket] of this.#chats) {
      if (looked++ >= PRUNE_PER_RESERVE || !bucket.isFull(now)) return;
      this.#chats.delete(key);
    }
  }
}
