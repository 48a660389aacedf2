import type { Hono } from 'hono';
import type { RedisOptions } from 'ioredis';
import type { Config } from '../config.ts';
import { createMemoryEventBus, type EventBus } from '../events/bus.ts';
import { connectRedisEventBus } from '../events/redis-bus.ts';
import type { IdentityService } from '../identity/types.ts';
import type { InspectionHub } from '../inspect/hub.ts';
import type { Limits } from '../limits/index.ts';
import type { Logger } from '../log.ts';
import { redisTarget } from '../redis-connection.ts';
import type { ConversationRuntime } from '../runtime/types.ts';
import type { ConversationStore } from '../store/types.ts';
import type { GraphqlServices } from './context.ts';
import { type MountedGraphql, mountGraphql, type UpgradeSource } from './index.ts';

export interface GraphqlWiringOptions {
  config: Config;
  logger: Logger;
  server: UpgradeSource;
  store: ConversationStore;
  /** Rate limits and connection caps (none when absent). */
  limits?: Limits;
  /** The bus connections' options (command timeout, bounded retries: core/redis-connection.ts). */
  redisOptions?: RedisOptions;
  /** The web chat's parser for `sendMessage` (the gateway takes it from the web plugin: core does not import plugins). */
  parseBrowserMessage: GraphqlServices['parseBrowserMessage'];
  /** Linked CMMS identities, for the admin's GraphQL fields. */
  identity?: IdentityService;
}

/** The gateway's GraphQL part, in two steps: the bus first (the runtime publishes on it), then the routes. */
export interface GraphqlWiring {
  /** Redis pub/sub across processes with REDIS_URL or REDIS_CLUSTER_NODES; in-process otherwise. */
  bus: EventBus;
  /** `/graphql` (HTTP and WebSocket); once the runtime exists. */
  mount(app: Hono, runtime: ConversationRuntime, inspection?: InspectionHub): MountedGraphql;
  /** Closes the WebSocket subscribers, then the bus (and its Redis connections). */
  close(): Promise<void>;
}

export async function wireGraphql(options: GraphqlWiringOptions): Promise<GraphqlWiring> {
  const { config, logger, server, store, limits } = options;
  const target = redisTarget(config);
  const redisBus = target
    ? await connectRedisEventBus(
        target,
        `${config.redisKeyPrefix}bus:`,
        logger.child({ component: 'bus' }),
        options.redisOptions,
      )
    : undefined;
  const bus = redisBus?.bus ?? createMemoryEventBus();
  let mounted: MountedGraphql | undefined;
  return {
    bus,
    mount(app, runtime, inspection) {
      if (mounted) throw new Error('GraphQL is already mounted');
      mounted = mountGraphql({
        app,
        server,
        services: {
          runtime,
          store,
          bus,
          config,
          logger,
          parseBrowserMessage: options.parseBrowserMessage,
          ...(inspection ? { inspection } : {}),
          ...(limits ? { limits } : {}),
          ...(options.identity ? { identity: options.identity } : {}),
        },
        maxBodyBytes: config.maxBodyBytes,
        graphiql: process.env.NODE_ENV !== 'production',
      });
      return mounted;
    },
    async close() {
      await mounted?.close();
      await (redisBus ? redisBus.close() : bus.close());
    },
  };
}
