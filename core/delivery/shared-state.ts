import type { RedisClient } from '../redis-connection.ts';
import { createRedisDeliveryMarks } from '../store/delivery-marks.ts';
import { createRedisDeadLetterStore } from './dead-letter.ts';
import type { DeadLetterRetention, OutboundDispatcherOptions } from './types.ts';

/**
 * The dispatcher's state in Redis: the dead-letter list (`<prefix>delivery:dead-letters`, bounded by
 * `retention`) survives restarts, and each conversation's last delivery
 * (`<prefix>delivery:last-delivered`), which automatic retries check, is seen by every process.
 */
export function deliveryStateInRedis(
  redis: RedisClient,
  keyPrefix: string,
  retention: Partial<DeadLetterRetention> = {},
): Pick<OutboundDispatcherOptions, 'deadLetters' | 'deliveryMarks'> {
  return {
    deadLetters: createRedisDeadLetterStore(redis, keyPrefix, retention),
    deliveryMarks: createRedisDeliveryMarks(redis, keyPrefix),
  };
}
