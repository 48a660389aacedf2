import type { Redis } from 'ioredis';
import { sharedSessionSecret } from '../core/auth/shared-secret.ts';
import type { Config } from '../core/config.ts';
import { createLimits, type Limits } from '../core/limits/index.ts';
import type { Logger } from '../core/log.ts';
import { openRedis, untilRedisAnswers } from '../core/redis-connection.ts';
import { createMemoryStore } from '../core/store/memory-store.ts';
import { createRedisStore } from '../core/store/redis-store.ts';
import type { ConversationStore } from '../core/store/types.ts';

/** Events kept per conversation in the store. */
const STORE_EVENT_LIMIT = 1000;

/** Where conversations live: Redis with REDIS_URL (shared by every process), in memory otherwise. */
export interface Storage {
  /** The connection the store, the limits and the dispatcher's state share (REDIS_URL only). */
  redis?: Redis;
  store: ConversationStore;
  limits: Limits;
}

/**
 * Opens Redis (waiting until it answers) when REDIS_URL is set, and the store and limits on it.
 * Without SESSION_SECRET (nor CALLBACK_SECRET), `config.sessionSecret` becomes the one every process
 * on this Redis shares. `opened` gets the connection's closer (a failed start closes it).
 */
export async function openStorage(config: Config, logger: Logger, opened: Array<() => void>): Promise<Storage> {
  const redis = config.redisUrl ? openRedis(config, config.redisUrl, logger) : undefined;
  if (redis) {
    opened.push(() => redis.disconnect());
    await untilRedisAnswers(redis, logger.child({ component: 'redis' }));
  }
  // Every process on this Redis, restarts too, signs with one kept there.
  if (redis && config.sessionSecretGenerated) {
    config.sessionSecret = await sharedSessionSecret(redis, config.redisKeyPrefix, config.sessionSecret);
  }
  const limits = createLimits(config.limits, redis ? { redis, keyPrefix: config.redisKeyPrefix } : {});
  const store = redis
    ? createRedisStore({
        redis,
        prefix: config.redisKeyPrefix,
        conversationTtlSeconds: config.conversationTtlSeconds,
        transcriptLimit: config.transcriptLimit,
        eventLimit: STORE_EVENT_LIMIT,
      })
    : createMemoryStore({
        transcriptLimit: config.transcriptLimit,
        eventLimit: STORE_EVENT_LIMIT,
        conversationTtlMs: config.conversationTtlSeconds * 1000,
        maxConversations: config.memoryMaxConversations,
        maxMessageIds: config.memoryMaxMessageIds,
        maxConversationBytes: config.memoryMaxConversationsMib * 1024 * 1024,
        maxMessageIdBytes: config.memoryMaxMessageIdsMib * 1024 * 1024,
      });
  return { ...(redis ? { redis } : {}), store, limits };
}
