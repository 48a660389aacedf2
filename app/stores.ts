import { sharedSessionSecret } from '../core/auth/shared-secret.ts';
import type { Config } from '../core/config.ts';
import { createLimits, type Limits } from '../core/limits/index.ts';
import type { Logger } from '../core/log.ts';
import { isCluster, openRedis, type RedisClient, redisTarget, untilRedisAnswers } from '../core/redis-connection.ts';
import { createMemoryStore } from '../core/store/memory-store.ts';
import { createRedisStore } from '../core/store/redis-store.ts';
import { publishReplyTexts } from '../core/store/reply-texts.ts';
import type { ConversationStore } from '../core/store/types.ts';
import { conversationReplyTexts } from './reply-texts.ts';

/** Events kept per conversation in the store. */
const STORE_EVENT_LIMIT = 1000;

/**
 * Where conversations live: Redis with REDIS_URL, or a Redis Cluster with REDIS_CLUSTER_NODES (shared
 * by every process), in memory otherwise.
 */
export interface Storage {
  /** The connection the store, the limits and the dispatcher's state share (Redis only; a Cluster client on a cluster). */
  redis?: RedisClient;
  store: ConversationStore;
  limits: Limits;
}

/**
 * Opens Redis (waiting until it answers, every master of a cluster) when REDIS_URL or
 * REDIS_CLUSTER_NODES is set, and the store and limits on it (a cluster gets the sharded key layout).
 * Without SESSION_SECRET (nor CALLBACK_SECRET), `config.sessionSecret` becomes the one every process
 * on this Redis shares. `opened` gets the connection's closer (a failed start closes it).
 */
export async function openStorage(config: Config, logger: Logger, opened: Array<() => void>): Promise<Storage> {
  const target = redisTarget(config);
  const redis = target ? openRedis(config, target, logger) : undefined;
  if (redis) {
    opened.push(() => redis.disconnect());
    await untilRedisAnswers(redis, logger.child({ component: 'redis' }));
  }
  // Every process on this Redis, restarts too, signs with one kept there.
  if (redis && config.sessionSecretGenerated) {
    config.sessionSecret = await sharedSessionSecret(redis, config.redisKeyPrefix, config.sessionSecret);
  }
  const limits = createLimits(config.limits, redis ? { redis, keyPrefix: config.redisKeyPrefix } : {});
  // Transcript lines keep these by reference; on Redis, other versions read them from a shared hash.
  const replyTexts = conversationReplyTexts();
  if (redis) {
    await publishReplyTexts(redis, config.redisKeyPrefix, replyTexts).catch((error) =>
      logger.warn({ err: error }, 'reply texts not published: older versions show a placeholder for new ones'),
    );
  }
  const store = redis
    ? createRedisStore({
        redis,
        prefix: config.redisKeyPrefix,
        layout: isCluster(redis) ? 'sharded' : 'classic',
        conversationTtlSeconds: config.conversationTtlSeconds,
        transcriptLimit: config.transcriptLimit,
        eventLimit: STORE_EVENT_LIMIT,
        replyTexts,
      })
    : createMemoryStore({
        transcriptLimit: config.transcriptLimit,
        eventLimit: STORE_EVENT_LIMIT,
        conversationTtlMs: config.conversationTtlSeconds * 1000,
        maxConversations: config.memoryMaxConversations,
        maxMessageIds: config.memoryMaxMessageIds,
        maxConversationBytes: config.memoryMaxConversationsMib * 1024 * 1024,
        maxMessageIdBytes: config.memoryMaxMessageIdsMib * 1024 * 1024,
        replyTexts,
      });
  return { ...(redis ? { redis } : {}), store, limits };
}
