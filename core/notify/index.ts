import type { Hono } from 'hono';
import type { CmmsClient } from '../cmms/client.ts';
import type { Config } from '../config.ts';
import type { IdentityService } from '../identity/types.ts';
import type { Logger } from '../log.ts';
import type { RedisClient } from '../redis-connection.ts';
import type { ConversationRuntime } from '../runtime/types.ts';
import type { WorkflowRunner } from '../workflows/types.ts';
import { fanOut } from './fan-out.ts';
import { redisPollLease, soleLease } from './lease.ts';
import { watchedOrderOf } from './orders.ts';
import { type NotifyPoller, startNotifyPoller } from './poller.ts';
import { mountNotifyRoute } from './route.ts';
import { memorySeenStore, redisSeenStore } from './seen-store.ts';
import type { NotifyChange, WatchedOrder } from './types.ts';

export { NOTIFY_PATH } from './route.ts';

export interface OrderNotificationsDeps {
  app: Hono;
  config: Pick<Config, 'callbackSecret' | 'notifyPollIntervalMs' | 'redisKeyPrefix'>;
  logger: Logger;
  runtime: Pick<ConversationRuntime, 'notifyOrderChange' | 'track'>;
  identity: Pick<IdentityService, 'conversationsOf'>;
  /** The service account's client: the poller lists every order with it. */
  cmms: Pick<CmmsClient, 'listWorkOrderRecords'>;
  runner: Pick<WorkflowRunner, 'kind'>;
  /** With Redis: the seen state and the poller's lease are shared by every process. */
  redis?: RedisClient;
  /** The Redis is a cluster: the notifier's keys share a hash tag (keys.ts). */
  cluster?: boolean;
}

/**
 * Order-change notifications: `POST /api/bot/notify` (the Airflow DAG posts its changes there) and,
 * with the embedded runner and NOTIFY_POLL_INTERVAL_MS > 0, the in-process poller (one process at a
 * time polls). `stop` ends the poller (shutdown); the route stays with the app.
 */
export function startOrderNotifications(deps: OrderNotificationsDeps): NotifyPoller {
  const logger = deps.logger.child({ component: 'notify' });
  const tell = (changes: readonly NotifyChange[]) => fanOut({ ...deps, logger }, changes);
  mountNotifyRoute(deps.app, { secret: deps.config.callbackSecret, fanOut: tell, logger });

  const intervalMs = deps.config.notifyPollIntervalMs;
  if (deps.runner.kind !== 'local' || intervalMs === 0) return { stop: async () => {} };
  const { redis } = deps;
  const prefix = deps.config.redisKeyPrefix;
  const cluster = deps.cluster ?? false;
  return startNotifyPoller({
    intervalMs,
    listOrders: async () =>
      (await deps.cmms.listWorkOrderRecords())
        .map(watchedOrderOf)
        .filter((order): order is WatchedOrder => order !== null),
    seen: redis ? redisSeenStore(redis, prefix, cluster) : memorySeenStore(),
    // Outlives the pause between rounds (and is renewed every third of it while a round runs): a live
    // holder keeps it however slow the CMMS or the fan-out, a dead one's runs out soon.
    lease: redis ? redisPollLease(redis, prefix, 2 * intervalMs + 5_000, cluster) : soleLease(),
    fanOut: tell,
    logger,
    track: (round) => deps.runtime.track(round),
  });
}
