import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { Redis } from 'ioredis';
import { createTelegramPlugin } from '../plugins/telegram/index.ts';
import { createWebPlugin } from '../plugins/web/index.ts';
import { createWhatsAppPlugin } from '../plugins/whatsapp/index.ts';
import { mountAdminRoutes } from './admin/routes.ts';
import { createApp } from './app.ts';
import { createCmmsClient } from './cmms/client.ts';
import { createDemoCmmsApp, DEMO_CMMS_TOKEN } from './cmms/demo-server.ts';
import { type Config, type Env, loadConfig } from './config.ts';
import { createOutboundDispatcher } from './delivery/dispatcher.ts';
import type { OutboundDispatcher } from './delivery/types.ts';
import type { EventBus } from './events/bus.ts';
import { wireGraphql } from './graphql/wiring.ts';
import { createInspectionHub, type InspectionHub } from './inspect/hub.ts';
import { connectLiveInspector } from './inspect/live.ts';
import { createLogger, type Logger } from './log.ts';
import { PluginRegistry } from './plugin.ts';
import { type ConversationRuntimeImpl, createConversationRuntime } from './runtime/conversation-runtime.ts';
import { startWorkflowWatcher } from './runtime/workflow-watcher.ts';
import { createMemoryStore } from './store/memory-store.ts';
import { createRedisStore } from './store/redis-store.ts';
import type { ConversationStore } from './store/types.ts';
import type { OutboundMessage } from './types.ts';
import { createAirflowRunner } from './workflows/airflow-runner.ts';
import { createLocalRunner } from './workflows/local-runner.ts';
import type { WorkflowRunner } from './workflows/types.ts';

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
  /** Graceful: stop accepting, finish in-flight conversation steps, close Redis and clients. */
  stop(): Promise<void>;
}

export interface GatewayOptions {
  port?: number;
  host?: string;
  logger?: Logger;
}

const STORE_EVENT_LIMIT = 1000;

/** Builds and starts the whole gateway from env (the same variables as the real process). */
export async function startGateway(env: Env = process.env, opts: GatewayOptions = {}): Promise<Gateway> {
  const config = loadConfig(env, {
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.host !== undefined ? { host: opts.host } : {}),
  });
  const logger = opts.logger ?? createLogger(config.logLevel, { service: 'omnibot' });

  // Listen first: with PORT=0 the real port decides the loopback URLs below.
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const opened: Array<() => void> = [];
  try {
    return await assemble(env, config, logger, server, opened);
  } catch (error) {
    // A half-started gateway (e.g. Redis refusing the bus) leaves nothing open behind it.
    for (const close of opened) close();
    server.close();
    throw error;
  }
}

async function assemble(
  env: Env,
  config: Config,
  logger: Logger,
  server: Server,
  opened: Array<() => void>,
): Promise<Gateway> {
  const closers: Array<() => Promise<void>> = [];
  let shuttingDown = false;
  // Channels first: a channel missing a variable fails here, before any connection is opened.
  // Every outbound message goes through the dispatcher (made below, once Redis is there): routing by
  // channel, pacing, ordered retries, dead letters (in Redis with REDIS_URL).
  let dispatcher: OutboundDispatcher | undefined;
  const deliver = (message: OutboundMessage) => dispatcher!.dispatch(message);
  const registry = new PluginRegistry();
  registry.register(
    createWebPlugin({
      sessionSecret: config.sessionSecret,
      maxBodyBytes: config.maxBodyBytes,
      ...(config.adminToken ? { adminToken: config.adminToken } : {}),
      ...(config.webApiKey ? { apiKey: config.webApiKey } : {}),
    }),
  );
  if (config.whatsapp.appSecret) registry.register(createWhatsAppPlugin({ ...config.whatsapp, logger, deliver }));
  if (config.telegram.token) registry.register(createTelegramPlugin({ ...config.telegram, logger, deliver }));

  const port = (server.address() as AddressInfo).port;
  const loopbackUrl = `http://127.0.0.1:${port}`;
  if (!env.PUBLIC_URL) config.publicUrl = loopbackUrl;

  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { maxRetriesPerRequest: 3, enableAutoPipelining: true })
    : undefined;
  redis?.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
  if (redis) opened.push(() => redis.disconnect());
  const outbound = createOutboundDispatcher({
    registry,
    logger,
    ...(redis ? { redis, keyPrefix: config.redisKeyPrefix } : {}),
  });
  dispatcher = outbound;
  closers.push(() => outbound.close(config.shutdownGraceMs));
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
      });

  const embeddedCmms = !config.cmmsUrl;
  const cmms = createCmmsClient({
    baseUrl: config.cmmsUrl ?? `${loopbackUrl}/demo-cmms`,
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
      });
  // Airflow calls back through PUBLIC_URL; the embedded runner calls this process on loopback.
  const callbackUrl = `${config.airflowUrl ? config.publicUrl : loopbackUrl}/api/bot/webhook`;

  // The bus now (the runtime publishes on it; Redis pub/sub with REDIS_URL so that every process's
  // subscribers see every event); `/graphql` and the web chat page once the app exists (below).
  const graphql = await wireGraphql({ config, logger, server, store });
  const bus: EventBus = graphql.bus;
  closers.push(() => graphql.close());
  const inspection = createInspectionHub({
    bus,
    logger: logger.child({ component: 'inspect' }),
    ...(config.inspectUrl ? { live: await connectLiveInspector(config.inspectUrl) } : {}),
    liveAll: config.inspect,
  });

  const runtime = createConversationRuntime({
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
    readiness: {
      accepting: async () => !shuttingDown,
      ...(redis ? { redis: () => store.ping() } : {}),
    },
    ...(embeddedCmms ? { mounts: { '/demo-cmms': createDemoCmmsApp() } } : {}),
  });
  mountAdminRoutes(app, {
    runtime,
    store,
    dispatcher: outbound,
    inspection,
    maxBodyBytes: config.maxBodyBytes,
    ...(config.adminToken ? { adminToken: config.adminToken } : {}),
  });
  graphql.mount(app, runtime, inspection); // GraphQL HTTP + WebSocket and the web chat page
  server.on('request', getRequestListener(app.fetch));

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
    async stop() {
      if (shuttingDown) return;
      shuttingDown = true; // /readyz answers 503 from now on
      await watcher.stop();
      await runtime.drain(config.shutdownGraceMs);
      // The embedded runner's last workflows call back through this server: it stays open for them.
      await runner.close();
      await runtime.drain(config.shutdownGraceMs);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      for (const close of closers) await close().catch((error) => logger.warn({ err: error }, 'close failed'));
      for (const plugin of registry.list()) await plugin.close?.();
      inspection.close();
      await bus.close();
      await cmms.close();
      await store.close();
      server.closeAllConnections();
      await closed;
      logger.info({}, 'stopped');
    },
  };
}
