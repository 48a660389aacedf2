export { classifyFailure, describeFailure } from './classify.ts';
export { createMemoryDeadLetterStore, createRedisDeadLetterStore } from './dead-letter.ts';
export { createOutboundDispatcher } from './dispatcher.ts';
export { INBOUND_RETRY_DELAYS_MS, receiveInBackground, storeAccepting } from './inbound.ts';
export { ChannelPacer, TokenBucket } from './rate-limit.ts';
export { splitTail, splitText, truncate } from './split-text.ts';
export type * from './types.ts';
