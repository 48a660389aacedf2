import { createRateLimits, type RateLimitOptions, type RateLimits } from './rate-limits.ts';
import type { LimitSettings } from './settings.ts';
import { SlotCounter } from './slots.ts';

export type { RateLimits } from './rate-limits.ts';
export { DEFAULT_LIMITS, type LimitSettings, loadLimitSettings, NO_LIMITS } from './settings.ts';

/**
 * Every limit on what one client can ask of the gateway: request rates (shared across processes with
 * Redis) and open connections (counted in each process, where they cost memory).
 */
export interface Limits {
  settings: LimitSettings;
  rate: RateLimits;
  wsSocketsByAddress: SlotCounter;
  wsSocketsByToken: SlotCounter;
  sseStreamsByToken: SlotCounter;
  sseStreamsByAddress: SlotCounter;
}

export function createLimits(settings: LimitSettings, options: RateLimitOptions = {}): Limits {
  return {
    settings,
    rate: createRateLimits(settings, options),
    wsSocketsByAddress: new SlotCounter(settings.wsSocketsPerAddress, 'ws_sockets_per_address'),
    wsSocketsByToken: new SlotCounter(settings.wsSocketsPerToken, 'ws_sockets_per_token'),
    sseStreamsByToken: new SlotCounter(settings.sseStreamsPerToken, 'sse_streams_per_token'),
    sseStreamsByAddress: new SlotCounter(settings.sseStreamsPerAddress, 'sse_streams_per_address'),
  };
}
