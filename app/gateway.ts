import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { mountAdminRoutes } from '../core/admin/routes.ts';
import { createApp } from '../core/app.ts';
import { createDemoCmmsApp } from '../core/cmms/demo-server.ts';
import { type Config, type Env, loadConfig } from '../core/config.ts';
import { memoryChannelStates, redisChannelStates } from '../core/delivery/channel-state.ts';
import { createOutboundDispatcher } from '../core/delivery/dispatcher.ts';
import type { OutboundDispatcher } from '../core/delivery/types.ts';
import type { EventBus } from '../core/events/bus.ts';
import { wireGraphql } from '../core/graphql/wiring.ts';
import { listenForOwnCalls } from '../core/http/own-calls.ts';
import { gateServer, type ServerGate } from '../core/http/server-gate.ts';
import { CREDENTIALS_PATH, type IdentityServiceImpl } from '../core/identity/index.ts';
import { createInspectionHub, type InspectionHub } from '../core/inspect/hub.ts';
import { connectLiveInspector } from '../core/inspect/live.ts';
import { createLogger, type Logger } from '../core/log.ts';
import { mountMetricsRoute } from '../core/metrics/route.ts';
import { startOrderNotifications } from '../core/notify/index.ts';
import { mountOperatorConsole } from '../core/operator/routes.ts';
import type { PluginRegistry } from '../core/plugin.ts';
import { isCluster, redisOptions } from '../core/redis-connection.ts';
import { type ConversationRuntimeImpl, createConversationRuntime } from '../core/runtime/conversation-runtime.ts';
import { startWorkflowWatcher } from '../core/runtime/workflow-watcher.ts';
import type { ConversationStore } from '../core/store/types.ts';
import { type OutboundMessage, splitConversationId } from '../core/types.ts';
import type { WorkflowRunner } from '../core/workflows/types.ts';
import { conversationModel } from '../machines/model.ts';
import { webEnv, webSenderTrust } from '../plugins/web/index.ts';
import { createIdentity, deliveryState, mountIdentityRoutes } from './identity.ts';
import { browserParser, registerChannels } from './registry.ts';
import { cmmsBaseUrl, createWorkflows } from './runners.ts';
import { shutDown } from './shutdown.ts';
import { openStorage } from './stores.ts';

export interface Gateway {
  url: string;
  port: number;
  config: Config;
  logger: Logger;
  app: Hono;
  server: Server;
  runtime: ConversationRuntimeImpl;
  /** Linked CMMS identities (who writes). */
  identity: IdentityServiceImpl;
  store: ConversationStore;
  bus: EventBus;
  runner: WorkflowRunner;
  dispatcher: OutboundDispatcher;
  inspection: InspectionHub;
  /**
   * Graceful, within SHUTDOWN_GRACE_MS: stops accepting at once (the listener is closed when `stop`
   * returns; requests on open connections get 503), finishes in-flight turns and embedded workflows,
   * then closes everything.
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

/** Builds and starts the whole gateway from env (the same variables as the real process). */
export async function startGateway(env: Env = process.env, opts: GatewayOptions = {}): Promise<Gateway> {
  const config = loadConfig(env, {
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.host !== undefined ? { host: opts.host } : {}),
  });
  // The channels from their own variables, next to the config: a misconfigured channel fails here,
  // before the port is bound or any connection is opened.
  const registry = registerChannels(env);
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
    if (!env.PUBLIC_URL) config.publicUrl = `http://127.0.0.1:${port}`;
    return await assemble({ env, config, logger, registry, server, port, gate, opened });
  } catch (error) {
    // A half-started gateway (e.g. Redis refusing the bus) leaves nothing open behind it.
    for (const close of opened) close();
    void gate.close();
    gate.closeConnections(true);
    throw error;
  }
}

interface Started {
  env: Env;
  config: Config;
  logger: Logger;
  registry: PluginRegistry;
  server: Server;
  port: number;
  gate: ServerGate;
  /** Closers of what is open so far: a failed start runs them. */
  opened: Array<() => void>;
}

/** The gateway behind its bound port: storage, outbound, workflows, GraphQL, runtime, the app. */
async function assemble({ env, config, logger, registry, server, port, gate, opened }: Started): Promise<Gateway> {
  /** Closed in order at the end of a shutdown, with the time left. */
  const closers: Array<(msLeft: number) => Promise<void>> = [];
  let shuttingDown = false;

  // The process's own calls (embedded workflow callbacks, the demo CMMS) use a loopback listener
  // of their own, open until the end of a shutdown.
  const ownCalls = await listenForOwnCalls(['/api/bot/webhook', CREDENTIALS_PATH, '/demo-cmms']);
  opened.push(() => ownCalls.close());
  const { redis, store, limits } = await openStorage(config, logger, opened);
  // Only authenticated senders may link (an open REST web API lets anyone post as any user_id).
  const trusts = webSenderTrust(webEnv(env).apiKey);
  const identity = createIdentity(config, logger, cmmsBaseUrl(config, ownCalls.url), trusts, redis);

  // Every outbound message goes through the dispatcher: routing by channel, pacing, ordered retries,
  // dead letters (in Redis when there is one). Plugins get it as `host.deliver` when mounted.
  const { eraseDeliveries: eraseDeadLetters, ...deliveryStores } = deliveryState(config, redis);
  // An erase also drops what the conversation's channel keeps of the user (WhatsApp's held messages).
  const eraseDeliveries = async (conversationId: string) => {
    await eraseDeadLetters(conversationId);
    await registry.get(splitConversationId(conversationId).channel)?.forget?.(conversationId);
  };
  const outbound = createOutboundDispatcher({ registry, logger, ...deliveryStores });
  const deliver = (message: OutboundMessage) => outbound.dispatch(message);
  closers.push((msLeft) => outbound.close(msLeft));
  const workflows = createWorkflows(config, logger, ownCalls.url, identity, redis);
  const { cmms, embeddedCmms, runner, callbackUrl, credentialsUrl } = workflows;

  // The bus now (the runtime publishes on it; Redis pub/sub with Redis so that every process's
  // subscribers see every event); `/graphql` once the app exists (below).
  const graphql = await wireGraphql({
    config,
    logger,
    server,
    store,
    limits,
    redisOptions: redisOptions(config),
    parseBrowserMessage: browserParser(registry),
    identity,
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
    identity,
    deliver,
    bus,
    logger: logger.child({ component: 'runtime' }),
    callbackUrl,
    credentialsUrl,
    eraseDeliveries,
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
    tryPace: (id) => outbound.tryPace(id),
    store,
    bus,
    limits,
    channelStates: redis ? redisChannelStates(redis, config.redisKeyPrefix) : memoryChannelStates(),
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
  mountIdentityRoutes(app, { config, logger, identity, runtime, store, model: conversationModel });
  graphql.mount(app, runtime, inspection); // GraphQL over HTTP and WebSocket (the web chat page is the web plugin's)
  mountOperatorConsole(app); // `/operator`: people answer handed-off conversations (GraphQL, admin token)
  mountMetricsRoute(app, { tokens: [env.METRICS_TOKEN, config.adminToken] }); // Prometheus, token required
  // Order changes told to the linked chats: POST /api/bot/notify (the DAG), the poller with the embedded runner.
  const shared = redis ? { redis, cluster: isCluster(redis) } : {};
  const notified = { app, config, logger, runtime, identity, cmms, runner, ...shared };
  const notifier = startOrderNotifications(notified);
  const watchers = { stop: () => Promise.all([watcher.stop(), notifier.stop()]).then(() => undefined) };
  gate.open(getRequestListener(app.fetch));
  ownCalls.serve(app.fetch);
  // Ready to understand messages: the CMMS equipment catalog is read (the embedded demo CMMS is served
  // from here on) and the intent classifier trained (or read from its saved model), without waiting.
  runtime.warm();

  if (config.callbackSecretGenerated) {
    logger.warn({}, 'CALLBACK_SECRET not set: generated one for this process (embedded mode only)');
  }
  const loopbackUrl = `http://127.0.0.1:${port}`;
  logger.info(
    {
      url: loopbackUrl,
      publicUrl: config.publicUrl,
      store: redis ? (isCluster(redis) ? 'redis-cluster' : 'redis') : 'memory',
      runner: runner.kind,
      cmms: embeddedCmms ? 'demo' : 'remote',
      channels: registry.list().map((p) => p.name),
    },
    'listening',
  );

  const parts = { config, logger, gate, ownCalls, runtime, runner, closers, registry, inspection, bus };
  let stopping: Promise<void> | undefined;
  return {
    url: loopbackUrl,
    port,
    config,
    logger,
    app,
    server,
    runtime,
    identity,
    store,
    bus,
    runner,
    dispatcher: outbound,
    inspection,
    stop() {
      shuttingDown = true; // /readyz answers 503 from now on
      stopping ??= shutDown({ ...parts, watcher: watchers, cmms, store, ...(redis ? { redis } : {}) });
      return stopping;
    },
  };
}
