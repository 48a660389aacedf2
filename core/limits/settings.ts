import { ConfigError } from '../errors.ts';

/**
 * Rate and connection limits (README lists each variable). 0 turns a limit off. The defaults are far
 * above what a person does and low enough that one client cannot exhaust the gateway or the store.
 */
export interface LimitSettings {
  /** Requests that make or feed conversations (REST messages, `startConversation`, `sendMessage`) per client address. */
  perAddressPerMinute: number;
  /** Messages into one conversation (REST `user_id` or GraphQL `conversationId`) per minute … */
  perConversationPerMinute: number;
  /** … and per day: bounds what one conversation can make the store keep (remembered message ids). */
  perConversationPerDay: number;
  /** Open WebSockets per client address (per process). */
  wsSocketsPerAddress: number;
  /** Open WebSockets per conversation token (per process; the admin token is not capped). */
  wsSocketsPerToken: number;
  /** Operations (subscriptions) at once on one WebSocket. */
  wsSubscriptionsPerSocket: number;
  /** Open GraphQL SSE streams per conversation token (per process; the admin token is not capped). */
  sseStreamsPerToken: number;
  /** Open GraphQL SSE streams per client address (per process): tokens are free, addresses are not. */
  sseStreamsPerAddress: number;
  /** Reverse proxies in front of the gateway whose `X-Forwarded-For` entry is trusted (0: the socket's address). */
  trustedProxyHops: number;
}

export const DEFAULT_LIMITS: LimitSettings = {
  perAddressPerMinute: 600,
  perConversationPerMinute: 60,
  perConversationPerDay: 500,
  wsSocketsPerAddress: 200,
  wsSocketsPerToken: 10,
  wsSubscriptionsPerSocket: 16,
  sseStreamsPerToken: 10,
  sseStreamsPerAddress: 200,
  trustedProxyHops: 0,
};

/** No limit at all (tests of other things, benchmarks). */
export const NO_LIMITS: LimitSettings = {
  perAddressPerMinute: 0,
  perConversationPerMinute: 0,
  perConversationPerDay: 0,
  wsSocketsPerAddress: 0,
  wsSocketsPerToken: 0,
  wsSubscriptionsPerSocket: 0,
  sseStreamsPerToken: 0,
  sseStreamsPerAddress: 0,
  trustedProxyHops: 0,
};

const VARIABLES: Record<keyof LimitSettings, string> = {
  perAddressPerMinute: 'RATE_LIMIT_PER_ADDRESS_PER_MINUTE',
  perConversationPerMinute: 'RATE_LIMIT_PER_CONVERSATION_PER_MINUTE',
  perConversationPerDay: 'RATE_LIMIT_PER_CONVERSATION_PER_DAY',
  wsSocketsPerAddress: 'WS_MAX_SOCKETS_PER_ADDRESS',
  wsSocketsPerToken: 'WS_MAX_SOCKETS_PER_TOKEN',
  wsSubscriptionsPerSocket: 'WS_MAX_SUBSCRIPTIONS_PER_SOCKET',
  sseStreamsPerToken: 'SSE_MAX_STREAMS_PER_TOKEN',
  sseStreamsPerAddress: 'SSE_MAX_STREAMS_PER_ADDRESS',
  trustedProxyHops: 'TRUSTED_PROXY_HOPS',
};

export function loadLimitSettings(env: Record<string, string | undefined>): LimitSettings {
  const settings = { ...DEFAULT_LIMITS };
  for (const [field, name] of Object.entries(VARIABLES) as [keyof LimitSettings, string][]) {
    const raw = env[name]?.trim();
    if (!raw) continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) throw new ConfigError(`${name} must be an integer >= 0, got "${raw}"`);
    settings[field] = value;
  }
  return settings;
}
