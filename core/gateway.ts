import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { Redis } from 'ioredis';
import { createApp } from './app.ts';
import { createCmmsClient } from './cmms/client.ts';
import { createDemoCmmsApp, DEMO_CMMS_TOKEN } from './cmms/demo-server.ts';
import { type Config, type Env, loadConfig } from './config.ts';
import { createMemoryEventBus, type EventBus } from './events/bus.ts';
import { createLogger, type Logger } from './log.ts';
import { PluginRegistry } from './plugin.ts';
import { type ConversationRuntimeImpl, createConversationRuntime } from './runtime/conversation-runtime.ts';
import { startWorkflowWatcher } from './runtime/workflow-watcher.ts';
import { createMemoryStore } from './store/memory-store.ts';
import { createRedisStore } from './store/redis-store.ts';
import type { ConversationStore } from './store/types.ts';
import type { OutboundMessage } from './types.ts';
import { splitConversationId } from './types.ts';
import { createLocalRunner } from './workflows/local-runner.ts';
import { createAirflowRunner } from './workflows/airflow-runner.ts';
import type { WorkflowRunner } from './workflows/types.ts';
import { createWebPlugin } from '../plugins/web/index.ts';

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
  const closers: Array<() => Promise<void>> = [];
  let shuttingDown = false;

  // Listen first: with PORT=0 the real port decides the loopback URLs below.
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const loopbackUrl = `http://127.0.0.1:${port}`;
  if (!env.PUBLIC_URL) config.publicUrl = loopbackUrl;

  const redis = config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 3, enableAutoPipelining: true }) : undefined;
  redis?.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
  const store = redis
    ? createRedisStore({
        redis,
        prefix: config.redisKeyPrefix,
        conversationTtlSeconds: config.conversationTtlSeconds,
        transcriptLimit: config.transcriptLimit,
        eventLimit: STORE_EVENT_LIMIT,
      })
    : createMemoryStore({ transcriptLimit: config.transcriptLimit, eventLimit: STORE_EVENT_LIMIT });

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
    : createLocalRunner({ cmms, callbackSecret: config.callbackSecret, logger: logger.child({ component: 'local-runner' }) });
  // Airflow calls back through PUBLIC_URL; the embedded runner calls this process on loopback.
  const callbackUrl = `${config.airflowUrl ? config.publicUrl : loopbackUrl}/api/bot/webhook`;

  const registry = new PluginRegistry();
  registry.register(
    createWebPlugin({ sessionSecret: config.sessionSecret, maxBodyBytes: config.maxBodyBytes, ...(config.adminToken ? { adminToken: config.adminToken } : {}) }),
  );

  // --- plugins ---
  const deliver = async (message: OutboundMessage) => {
    const plugin = registry.get(splitConversationId(message.conversationId).channel);
    try {
      await plugin?.send(message);
    } catch (error) {
      logger.error({ conversationId: message.conversationId, err: error }, 'outbound delivery failed');
    }
  };
  // --- end plugins ---

  // --- graphql ---
  const bus: EventBus = createMemoryEventBus();
  // --- end graphql ---

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
  });
  const watcher = startWorkflowWatcher({
    store,
    check: (id) => runtime.checkWorkflow(id),
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
    async stop() {
      if (shuttingDown) return;
      shuttingDown = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await watcher.stop();
      await runtime.drain(config.shutdownGraceMs);
      await runner.close();
      await runtime.drain(config.shutdownGraceMs);
      for (const close of closers) await close().catch((error) => logger.warn({ err: error }, 'close failed'));
      for (const plugin of registry.list()) await plugin.close?.();
      await bus.close();
      await cmms.close();
      await store.close();
      server.closeAllConnections();
      await closed;
      logger.info({}, 'stopped');
    },
  };
}
