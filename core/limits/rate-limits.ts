import type { Redis } from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitError } from '../errors.ts';
import { rateLimitRefusals } from '../metrics/registry.ts';
import type { LimitSettings } from './settings.ts';

export interface RateLimitOptions {
  /** Shared state across processes (atomic on Redis); in-process memory otherwise. */
  redis?: Redis;
  /** Keys go under `<keyPrefix>ratelimit:`. */
  keyPrefix?: string;
}

export type RateLimitName = 'address' | 'conversation_minute' | 'conversation_day';

export interface RateLimits {
  /** Counts one request from `address`; throws `RateLimitError` (429, Retry-After) past the budget. */
  address(address: string | undefined): Promise<void>;
  /** Counts one message into `conversationId`, per minute and per day. */
  conversation(conversationId: string): Promise<void>;
  /**
   * Admits one new message: its sender's address (when given) and its conversation, counted side by
   * side (with a stalled Redis each waits out its command timeout at the same time, not in turn).
   */
  message(address: string | undefined, conversationId: string): Promise<void>;
}

function limiter(
  name: string,
  points: number,
  durationSeconds: number,
  options: RateLimitOptions,
): RateLimiterAbstract | null {
  if (points <= 0) return null;
  const memory = new RateLimiterMemory({ points, duration: durationSeconds });
  if (!options.redis) return memory;
  return new RateLimiterRedis({
    storeClient: options.redis,
    keyPrefix: `${options.keyPrefix ?? ''}ratelimit:${name}`,
    points,
    duration: durationSeconds,
    // While Redis is unreachable each process keeps limiting on its own.
    insuranceLimiter: memory,
  });
}

export function createRateLimits(settings: LimitSettings, options: RateLimitOptions = {}): RateLimits {
  const byAddress = limiter('address', settings.perAddressPerMinute, 60, options);
  const byConversationMinute = limiter('conversation-minute', settings.perConversationPerMinute, 60, options);
  const byConversationDay = limiter('conversation-day', settings.perConversationPerDay, 24 * 3600, options);

  const consume = async (name: RateLimitName, rate: RateLimiterAbstract | null, key: string, what: string) => {
    if (!rate) return;
    try {
      await rate.consume(key);
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      rateLimitRefusals.inc({ scope: name });
      throw new RateLimitError(`too many requests ${what}: retry later`, Math.max(1_000, refusal.msBeforeNext));
    }
  };

  return {
    async address(address) {
      if (address !== undefined) await consume('address', byAddress, address, 'from this address');
    },
    conversation: (conversationId) =>
      firstRefusal([
        consume('conversation_minute', byConversationMinute, conversationId, 'for this conversation'),
        consume('conversation_day', byConversationDay, conversationId, 'for this conversation today'),
      ]),
    message: (address, conversationId) =>
      firstRefusal([
        address === undefined ? Promise.resolve() : consume('address', byAddress, address, 'from this address'),
        consume('conversation_minute', byConversationMinute, conversationId, 'for this conversation'),
        consume('conversation_day', byConversationDay, conversationId, 'for this conversation today'),
      ]),
  };
}

/** Every count is taken (a refused message still counts); the first refusal in order is the answer. */
async function firstRefusal(counts: Promise<void>[]): Promise<void> {
  const outcomes = await Promise.allSettled(counts);
  const refused = outcomes.find((outcome) => outcome.status === 'rejected');
  if (refused) throw refused.reason;
}
