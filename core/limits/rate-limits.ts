import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitError } from '../errors.ts';
import { rateLimitRefusals } from '../metrics/registry.ts';
import type { RedisClient } from '../redis-connection.ts';
import type { LimitSettings } from './settings.ts';

export interface RateLimitOptions {
  /** Shared state across processes (atomic on Redis); in-process memory otherwise. */
  redis?: RedisClient;
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

  /** One count, or null when that limit is off. */
  type Check = { name: RateLimitName; rate: RateLimiterAbstract | null; key: string; what: string };
  const address = (key: string): Check => ({ name: 'address', rate: byAddress, key, what: 'from this address' });
  const perMinute = (key: string): Check => ({
    name: 'conversation_minute',
    rate: byConversationMinute,
    key,
    what: 'for this conversation',
  });
  const perDay = (key: string): Check => ({
    name: 'conversation_day',
    rate: byConversationDay,
    key,
    what: 'for this conversation today',
  });

  return {
    address: (key) => (key === undefined ? Promise.resolve() : admitted([address(key)])),
    conversation: (conversationId) => admitted([perMinute(conversationId), perDay(conversationId)]),
    message: (key, conversationId) =>
      admitted([...(key === undefined ? [] : [address(key)]), perMinute(conversationId), perDay(conversationId)]),
  };
}

/**
 * Counts a message against each check side by side (with a stalled Redis each waits out its command
 * timeout at the same time, not in turn), and answers as checking them in order would: the first
 * refusal is the answer, and the checks after it give their point back (a message refused per minute
 * does not count in the day's budget).
 */
async function admitted(
  checks: { name: RateLimitName; rate: RateLimiterAbstract | null; key: string; what: string }[],
) {
  const outcomes = await Promise.allSettled(checks.map(({ rate, key }) => rate?.consume(key)));
  const refused = outcomes.findIndex((outcome) => outcome.status === 'rejected');
  if (refused < 0) return;
  checks.slice(refused + 1).forEach(({ rate, key }, offset) => {
    if (outcomes[refused + 1 + offset]!.status === 'fulfilled') void rate?.reward(key, 1).catch(() => undefined);
  });
  const { name, what } = checks[refused]!;
  const refusal = (outcomes[refused] as PromiseRejectedResult).reason;
  if (!(refusal instanceof RateLimiterRes)) throw refusal;
  rateLimitRefusals.inc({ scope: name });
  throw new RateLimitError(`too many requests ${what}: retry later`, Math.max(1_000, refusal.msBeforeNext));
}
