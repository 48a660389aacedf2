import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { CHANNELS } from '../channels.ts';
import { mountAdminRoutes } from '../core/admin/routes.ts';
import { createApp } from '../core/app.ts';
import { sharedSessionSecret } from '../core/auth/shared-secret.ts';
import { createCmmsClient } from '../core/cmms/client.ts';
import { createDemoCmmsApp, DEMO_CMMS_TOKEN } from '../core/cmms/demo-server.ts';
import { type Config, type Env, loadConfig } from '../core/config.ts';
import { createOutboundDispatcher } from '../core/delivery/dispatcher.ts';
import { deliveryStateInRedis } from '../core/delivery/shared-state.ts';
import type { OutboundDispatcher } from '../core/delivery/types.ts';
import type { EventBus } from '../core/events/bus.ts';
import { wireGraphql } from '../core/graphql/wiring.ts';
import { listenForOwnCalls } from '../core/http/own-calls.ts';
import { gateServer, type ServerGate } from '../core/http/server-gate.ts';
import { createInspectionHub, type InspectionHub } from '../core/inspect/hub.ts';
import { connectLiveInspector } from '../core/inspect/live.ts';
import { createLimits } from '../core/limits/index.ts';
import { createLogger, type Logger } from '../core/log.ts';
import { mountMetricsRoute } from '../core/metrics/route.ts';
import { PluginRegistry } from '../core/plugin.ts';
import { openRedis, redisOptions, untilRedisAnswers } from '../core/redis-connection.ts';
import { type ConversationRuntimeImpl, createConversationRuntime } from '../core/runtime/conversation-runtime.ts';
import { startWorkflowWatcher } from '../core/runtime/workflow-watcher.ts';
import { deadlineIn, within } from '../core/shutdown.ts';
import { createMemoryStore } from '../core/store/memory-store.ts';
import { createRedisStore } from '../core/store/redis-store.ts';
import type { ConversationStore } from '../core/store/types.ts';
import type { OutboundMessage } from '../core/types.ts';
import { createAirflowRunner } from '../core/workflows/airflow-runner.ts';
import { createLocalRunner } from '../core/workflows/local-runner.ts';
import type { WorkflowRunner } from '../core/workflows/types.ts';
import { conversationModel } from '../machines/model.ts';
import { parseBrowserMessage } from '../plugins/web/index.ts';

export interface Gateway {
  url: string;
  port: number;
  config: Config;
  logger: Logger;
  app: Hono;
  server: Server;
  runtime: ConversationRuntimeImpl;
  store: ConversationStore;
  bus: EventBus;
  runner: WorkflowRunner;
  dispatcher: OutboundDispatcher;
  inspection: InspectionHub;
  /**
   * Graceful, within SHUTDOWN_GRACE_MS: stops accepting at once (the listener closes; requests on open
   * connections get 503), finishes in-flight turns and embedded workflows, then closes everything.
   */
  stop(): Promise<void>;
}

export interface GatewayOptions {
  port?: number;
  host?: string;
  logger?: Logger;
  /** Called once the port is bound, before the app is ready (requests meanwhile get 503). */
  onListening?: (url: string) => void;
}

const STORE_EVENT_LIMIT = 1000;

/** Builds and starts the whole gateway from env (the same variables as the real process). */
export async function startGateway(env: Env = process.env, opts: GatewayOptions = {}): Promise<Gateway> {
  const config = loadConfig(env, {
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.host !== undefined ? { host: opts.host } : {}),
  });
  const logger = opts.logger ?? createLogger(config.logLevel, { service: 'omnibot' });

  // Listen first (with PORT=0 the real port decides the loopback URLs below), behind a gate that
  // answers 503 with Retry-After until the app is assembled: no request waits without an answer.
  const server = createServer();
  const gate = gateServer(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  opts.onListening?.(`http://127.0.0.1:${port}`);
  const opened: Array<() => void> = [];
  try {
    return await assemble(env, config, logger, server, port, gate, opened);
  } catch (error) {
    // A half-started gateway (e.g. Redis refusing the bus) leaves nothing open behind it.
    for (const close of opened) close();
    void gate.close();
    gate.closeConnections(true);
    throw error;
  }
}

async function assemble(
  env: Env,
  config: Config,
  logger: Logger,
  server: Server,
  port: number,
  gate: ServerGate,
  opened: Array<() => void>,
): Promise<Gateway> {
  /** Closed in order at the end of a shutdown, with the time left. */
  const closers: Array<(msLeft: number) => Promise<void>> = [];
  let shuttingDown = false;
  // Channels first (channels.ts, each from its own variables): a channel missing a variable fails
  // here, before any connection is opened.
  const registry = new PluginRegistry();
  for (const channel of CHANNELS) {
    const plugin = channel.fromEnv(env);
    if (plugin) registry.register(plugin);
  }

  const loopbackUrl = `http://127.0.0.1:${port}`;
  if (!env.PUBLIC_URL) config.publicUrl = loopbackUrl;

  // The process's own calls (embedded workflow callbacks, the demo CMMS) use a loopback listener
  // of their own, open until the end of a shutdown.
  const ownCalls = await listenForOwnCalls(['/api/bot/webhook', '/demo-cmms']);
  opened.push(() => ownCalls.close());

  const redis = config.redisUrl ? openRedis(config, config.redisUrl, logger) : undefined;
  if (redis) {
    opened.push(() => redis.disconnect());
    await untilRedisAnswers(redis, logger.child({ component: 'redis' }));
  }
  // No SESSION_SECRET (nor CALLBACK_SECRET): every process on this Redis, restarts too, signs with one kept there.
  if (redis && config.sessionSecretGenerated) {
    config.sessionSecret = await sharedSessionSecret(redis, config.redisKeyPrefix, config.sessionSecret);
  }
  const limits = createLimits(config.limits, redis ? { redis, keyPrefix: config.redisKeyPrefix } : {});
  // Every outbound message goes through the dispatcher: routing by channel, pacing, ordered retries,
  // dead letters (in Redis with REDIS_URL). Plugins get it as `host.deliver` when mounted.
  const outbound = createOutboundDispatcher({
    registry,
    logger,
    ...(redis ? deliveryStateInRedis(redis, config.redisKeyPrefix) : {}),
  });
  const deliver = (message: OutboundMessage) => outbound.dispatch(message);
  closers.push((msLeft) => outbound.close(msLeft));
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
      });

  const embeddedCmms = !config.cmmsUrl;
  const cmms = createCmmsClient({
    baseUrl: config.cmmsUrl ?? `${ownCalls.url}/demo-cmms`,
    apiPrefix: config.cmmsApiPrefix,
    ...(embeddedCmms ? { token: DEMO_CMMS_TOKEN } : {}),
    ...(config.cmmsToken ? { token: config.cmmsToken } : {}),
    ...(config.cmmsUsername ? { username: config.cmmsUsername } : {}),
    ...(config.cmmsPassword ? { password: config.cmmsPassword } : {}),
    logger: logger.child({ component: 'cmms' }),
  });
  const runner: WorkflowRunner = config.airflowUrl
    ? createAirflowRunner({
        baseUrl: config.airflowUrl,
        apiVersion: config.airflowApiVersion,
        ...(config.airflowUsername ? { username: config.airflowUsername } : {}),
        ...(config.airflowPassword ? { password: config.airflowPassword } : {}),
        logger: logger.child({ component: 'airflow' }),
      })
    : createLocalRunner({
        cmms,
        callbackSecret: config.callbackSecret,
        logger: logger.child({ component: 'local-runner' }),
        // Runs hold a lease in Redis: the watcher of any process resumes a run whose process died.
        ...(redis ? { redis: { client: redis, keyPrefix: config.redisKeyPrefix } } : {}),
        pollIntervalMs: config.workflowPollIntervalMs,
      });
  // Airflow calls back through PUBLIC_URL; the embedded runner calls this process on loopback.
  const callbackUrl = `${config.airflowUrl ? config.publicUrl : ownCalls.url}/api/bot/webhook`;

  // The bus now (the runtime publishes on it; Redis pub/sub with REDIS_URL so that every process's
  // subscribers see every event); `/graphql` once the app exists (below).
  const graphql = await wireGraphql({
    config,
    logger,
    server,
    store,
    limits,
    redisOptions: redisOptions(config),
    // The web chat's messages are the web channel's (its parser, id scheme and limits).
    parseWebMessage: parseBrowserMessage,
  });
  const bus: EventBus = graphql.bus;
  closers.push(() => graphql.close());
  const inspection = createInspectionHub({
    bus,
    logger: logger.child({ component: 'inspect' }),
    stateName: conversationModel.stateName,
    ...(config.inspectUrl ? { live: await connectLiveInspector(config.inspectUrl) } : {}),
    liveAll: config.inspect,
  });

  const runtime = createConversationRuntime({
    model: conversationModel,
    store,
    runner,
    cmms,
    deliver,
    bus,
    logger: logger.child({ component: 'runtime' }),
    callbackUrl,
    workflowTimeoutMs: config.workflowTimeoutMs,
    workflowPollIntervalMs: config.workflowPollIntervalMs,
    dedupTtlMs: config.dedupTtlSeconds * 1000,
    claimLeaseMs: config.claimLeaseMs,
    duplicateWaitMs: config.duplicateWaitMs,
    handoffTimeoutMs: config.handoffTimeoutMs,
    inspect: (conversationId) => inspection.observerFor(conversationId),
  });
  const watcher = startWorkflowWatcher({
    store,
    check: (id) => runtime.checkDeadlines(id),
    intervalMs: config.workflowPollIntervalMs,
    logger: logger.child({ component: 'watcher' }),
  });

  const app = createApp({
    config,
    logger,
    registry,
    runtime,
    deliver,
    store,
    bus,
    limits,
    readiness: {
      accepting: async () => !shuttingDown,
      ...(redis ? { redis: () => store.ping() } : {}),
    },
    ...(embeddedCmms
      ? { mounts: { '/demo-cmms': createDemoCmmsApp({ trustedProxyHops: config.limits.trustedProxyHops }) } }
      : {}),
  });
  mountAdminRoutes(app, {
    runtime,
    store,
    dispatcher: outbound,
    inspection,
    maxBodyBytes: config.maxBodyBytes,
    ...(config.adminToken ? { adminToken: config.adminToken } : {}),
  });
  graphql.mount(app, runtime, inspection); // GraphQL over HTTP and WebSocket (the web chat page is the web plugin's)
  mountMetricsRoute(app, { tokens: [env.METRICS_TOKEN, config.adminToken] }); // Prometheus, token required
  gate.open(getRequestListener(app.fetch));
  ownCalls.serve(app.fetch);

  if (config.callbackSecretGenerated) {
    logger.warn({}, 'CALLBACK_SECRET not set: generated one for this process (embedded mode only)');
  }
  logger.info(
    {
      url: loopbackUrl,
      publicUrl: config.publicUrl,
      store: redis ? 'redis' : 'memory',
      runner: runner.kind,
      cmms: embeddedCmms ? 'demo' : 'remote',
      channels: registry.list().map((p) => p.name),
    },
    'listening',
  );

  let stopping: Promise<void> | undefined;
  /** Everything within SHUTDOWN_GRACE_MS; the last part of it is kept for closing connections. */
  async function shutdown(): Promise<void> {
    shuttingDown = true; // /readyz answers 503 from now on
    const grace = deadlineIn(config.shutdownGraceMs);
    const reserve = Math.min(1_000, config.shutdownGraceMs / 4);
    const work = () => Math.max(0, grace.left() - reserve);
    // Stop accepting now: the listener closes (the port is free), open connections get 503.
    const publicClosed = gate.close();
    await within(watcher.stop(), work());
    await runtime.drain(work());
    // Embedded workflows still running finish and call back (on the own-calls listener); their turns
    // are drained after them. The runner is closed only after that last drain.
    if (runner.kind === 'local') await within(runner.close(), work());
    await runtime.drain(work());
    const closeAll = async () => {
      for (const close of closers) {
        await close(grace.left()).catch((error) => logger.warn({ err: error }, 'close failed'));
      }
      for (const plugin of registry.list()) await plugin.close?.();
      inspection.close();
      await bus.close();
      await runner.close();
      await cmms.close();
      await store.close();
    };
    const closed = await within(closeAll(), grace.left(), 100);
    if (!closed) {
      logger.warn({ graceMs: config.shutdownGraceMs }, 'shutdown grace expired: closing connections as they are');
      redis?.disconnect();
    }
    ownCalls.close();
    gate.closeConnections(true);
    await within(publicClosed, 100);
    logger.info({}, 'stopped');
  }

  return {
    url: loopbackUrl,
    port,
    config,
    logger,
    app,
    server,
    runtime,
    store,
    bus,
    runner,
    dispatcher: outbound,
    inspection,
    stop() {
      stopping ??= shutdown();
      return stopping;
    },
  };
}
