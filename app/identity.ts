import type { Hono } from 'hono';
import { mountIdentityAdminRoutes } from '../core/admin/identities.ts';
import type { Config } from '../core/config.ts';
import { createMemoryDeadLetterStore } from '../core/delivery/dead-letter.ts';
import { deliveryStateInRedis } from '../core/delivery/shared-state.ts';
import type { DeadLetterStore, OutboundDispatcherOptions } from '../core/delivery/types.ts';
import {
  cmmsLogin,
  createIdentityService,
  type IdentityServiceImpl,
  mountCredentialsRoute,
  mountLinkRoutes,
} from '../core/identity/index.ts';
import type { Logger } from '../core/log.ts';
import { isCluster, type RedisClient } from '../core/redis-connection.ts';
import type { ConversationRuntimeImpl } from '../core/runtime/conversation-runtime.ts';
import type { ConversationModel } from '../core/runtime/model.ts';
import type { ConversationStore } from '../core/store/types.ts';

/** How many dead letters are looked through when a conversation is erased (the list's own cap). */
const DEAD_LETTERS_SCANNED = 1_000;

/**
 * Who writes: the identity service (links in Redis when there is one, in memory otherwise), logging in
 * at the CMMS the client talks to (`cmmsBaseUrl`: CMMS_URL, or the embedded demo on loopback).
 * `trusts`: which conversations' senders are authenticated (only those may link; see
 * `webSenderTrust`: open REST web conversations are not).
 */
export function createIdentity(
  config: Config,
  logger: Logger,
  cmmsBaseUrl: string,
  trusts: (conversationId: string) => boolean,
  redis?: RedisClient,
): IdentityServiceImpl {
  return createIdentityService({
    trusts,
    ...(redis ? { redis: { client: redis, keyPrefix: config.redisKeyPrefix, cluster: isCluster(redis) } } : {}),
    ...(config.identityKey ? { key: config.identityKey } : {}),
    publicUrl: config.publicUrl,
    policy: config.identityPolicy,
    login: cmmsLogin({ baseUrl: cmmsBaseUrl }),
    logger: logger.child({ component: 'identity' }),
  });
}

/**
 * The dispatcher's dead letters and delivery marks (in Redis when there is one), kept here too so that
 * erasing a conversation also drops its dead letters (they hold the text of its replies).
 */
export function deliveryState(
  config: Config,
  redis?: RedisClient,
): Pick<OutboundDispatcherOptions, 'deadLetters' | 'deliveryMarks'> & {
  eraseDeliveries(conversationId: string): Promise<void>;
} {
  const shared = redis ? deliveryStateInRedis(redis, config.redisKeyPrefix) : {};
  const deadLetters: DeadLetterStore = shared.deadLetters ?? createMemoryDeadLetterStore();
  return {
    ...shared,
    deadLetters,
    async eraseDeliveries(conversationId) {
      for (const entry of await deadLetters.list(DEAD_LETTERS_SCANNED)) {
        if (entry.conversationId === conversationId) await deadLetters.take(entry.id);
      }
    },
  };
}

export interface IdentityRouteDeps {
  config: Config;
  logger: Logger;
  identity: IdentityServiceImpl;
  runtime: ConversationRuntimeImpl;
  store: ConversationStore;
  model: ConversationModel;
}

/**
 * The link page (`/link/:code`), the DAGs' credential endpoint (`/api/bot/credentials`, also on the
 * own-calls listener for the embedded runner's conf) and the admin API (`/admin/identities`,
 * `/admin/personal-data/erase`, behind ADMIN_TOKEN).
 */
export function mountIdentityRoutes(app: Hono, deps: IdentityRouteDeps): void {
  const { config, logger, identity, runtime } = deps;
  mountLinkRoutes(app, {
    identity,
    runtime,
    maxBodyBytes: config.maxBodyBytes,
    trustedProxyHops: config.limits.trustedProxyHops,
    logger,
  });
  mountCredentialsRoute(app, {
    identity,
    store: deps.store,
    model: deps.model,
    callbackSecret: config.callbackSecret,
    logger: logger.child({ component: 'credentials' }),
  });
  mountIdentityAdminRoutes(app, {
    identity,
    runtime,
    maxBodyBytes: config.maxBodyBytes,
    ...(config.adminToken ? { adminToken: config.adminToken } : {}),
    logger: logger.child({ component: 'admin' }),
  });
}
