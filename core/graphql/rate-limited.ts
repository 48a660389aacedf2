import { RateLimitError, retryAfterSeconds } from '../errors.ts';
import type { Limits } from '../limits/index.ts';
import type { GraphqlContext } from './context.ts';
import { graphqlError } from './errors.ts';

/** RATE_LIMITED; over HTTP the answer is 429 with `Retry-After` (yoga reads `extensions.http`). */
export function rateLimited(message: string, retryAfterMs: number) {
  const seconds = retryAfterSeconds(retryAfterMs);
  return graphqlError('RATE_LIMITED', message, {
    retryAfterMs,
    http: { status: 429, headers: { 'retry-after': String(seconds) } },
  });
}

/** Runs a rate-limit check, turning its refusal into a GraphQL RATE_LIMITED error. */
export async function withinRateLimit(check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } catch (error) {
    if (error instanceof RateLimitError) throw rateLimited(error.message, error.retryAfterMs);
    throw error;
  }
}

/** Seconds a client refused for too many streams is told to wait. */
const STREAM_RETRY_AFTER_MS = 30_000;

/**
 * A slot for one SSE stream (a subscription over HTTP) of a conversation token and of a client
 * address, released by the returned function. WebSocket subscriptions are bounded per socket instead;
 * the admin's streams are counted per address only.
 */
export function holdStreamSlot(limits: Limits | undefined, ctx: GraphqlContext): () => void {
  if (!limits || ctx.transport) return () => {};
  const byAddress = ctx.clientAddress === undefined ? () => {} : limits.sseStreamsByAddress.acquire(ctx.clientAddress);
  if (!byAddress) {
    throw rateLimited(`at most ${limits.sseStreamsByAddress.max} open streams per address`, STREAM_RETRY_AFTER_MS);
  }
  if (ctx.principal.kind !== 'conversation') return byAddress;
  const byToken = limits.sseStreamsByToken.acquire(ctx.principal.conversationId);
  if (!byToken) {
    byAddress();
    throw rateLimited(
      `at most ${limits.sseStreamsByToken.max} open streams per conversation token`,
      STREAM_RETRY_AFTER_MS,
    );
  }
  return () => {
    byToken();
    byAddress();
  };
}
