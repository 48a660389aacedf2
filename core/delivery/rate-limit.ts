import type { BucketLimit, ChannelLimits } from './types.ts';

/**
 * Documented pacing per channel (README, "Outbound delivery"):
 * - Telegram: about 1 msg/s per chat and 30 msg/s per bot; a turn's 2–3 replies go out at once (burst 3).
 * - WhatsApp: 80 msg/s per phone number; per user we keep 1 msg/s with a burst of 3, well under the
 *   pair rate limit (131056) for conversational replies.
 * - Other channels (web): unpaced.
 */
export const DEFAULT_LIMITS: Record<string, ChannelLimits> = {
  telegram: { perChat: { burst: 3, perSecond: 1 }, global: { burst: 30, perSecond: 30 } },
  whatsapp: { perChat: { burst: 3, perSecond: 1 }, global: { burst: 80, perSecond: 80 } },
};

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

  /** True when the bucket is back to its burst (nothing to remember). */
  isFull(now: number): boolean {
    this.#refill(now);
    return this.#tokens >= this.#limit.burst;
  }
}

const MAX_TRACKED_CHATS = 10_000;

/** Pacing of one channel: the wait before the next message to `chatKey` may be sent. */
export class ChannelPacer {
  readonly #limits: ChannelLimits;
  readonly #global: TokenBucket | null;
  readonly #chats = new Map<string, TokenBucket>();

  constructor(limits: ChannelLimits, now: number) {
    this.#limits = limits;
    this.#global = limits.global ? new TokenBucket(limits.global, now) : null;
  }

  reserve(chatKey: string, now: number): number {
    let wait = this.#global ? this.#global.take(now) : 0;
    const perChat = this.#limits.perChat;
    if (perChat) {
      let bucket = this.#chats.get(chatKey);
      if (!bucket) {
        if (this.#chats.size >= MAX_TRACKED_CHATS) this.#forgetIdle(now);
        bucket = new TokenBucket(perChat, now);
        this.#chats.set(chatKey, bucket);
      }
      wait = Math.max(wait, bucket.take(now));
    }
    return wait;
  }

  #forgetIdle(now: number): void {
    for (const [key, bucket] of this.#chats) if (bucket.isFull(now)) this.#chats.delete(key);
  }
}
