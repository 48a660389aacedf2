import { Hono } from 'hono';
import { issueConversationToken, verifyConversationToken } from './auth/conversation-token.ts';
import { safeEqual } from './auth/safe-equal.ts';
import type { Config } from './config.ts';
import type { ChannelStateFor } from './delivery/channel-state.ts';
import { errorHandler } from './http/errors.ts';
import { securityHeadersAndDeadline } from './http/middleware.ts';
import type { Logger } from './log.ts';
import type { ChannelConfig, PluginHost, PluginRegistry } from './plugin.ts';
import { withDeadline } from './runtime/deadline.ts';
import { mountCallbackRoute } from './workflows/callback-route.ts';

/** What every plugin is mounted with besides what the app makes from `config` (its logger, settings, auth). */
export type SharedHost = Omit<PluginHost, 'logger' | 'config' | 'channelState' | keyof HostAuth>;

type HostAuth = Pick<PluginHost, 'conversationTokens' | 'isAdminToken'>;

export interface AppDeps extends SharedHost {
  config: Config;
  logger: Logger;
  registry: PluginRegistry;
  /** Each channel's own state, scoped to its name. */
  channelStates: ChannelStateFor;
  /** Readiness: every check must answer true (Redis reachable, not shutting down…). */
  readiness: Record<string, () => Promise<boolean>>;
  /** Extra sub-apps by path (the demo CMMS under `/demo-cmms`). */
  mounts?: Record<string, Hono>;
  /** Each readiness check counts as failed past this (default 1 s): `/readyz` never hangs. */
  readinessTimeoutMs?: number;
}

const READINESS_TIMEOUT_MS = 1_000;

/** The check's answer, or false when it fails or does not answer within `ms`. */
function checkWithin(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  return withDeadline(check(), ms, () => new Error(`readiness check took longer than ${ms} ms`)).catch(() => false);
}

/**
 * The host's auth services over the gateway's secrets, read at each call (the gateway may replace a
 * generated session secret by the one its processes share in Redis before serving).
 */
export function hostAuth(config: Pick<Config, 'sessionSecret' | 'adminToken'>): HostAuth {
  return {
    conversationTokens: {
      issue: (conversationId) => issueConversationToken(config.sessionSecret, conversationId),
      verify: (token) => verifyConversationToken(config.sessionSecret, token),
    },
    isAdminToken: (token) => Boolean(config.adminToken) && safeEqual(token, config.adminToken!),
  };
}

/** The settings a channel may read: no secret crosses the door. */
export function channelConfig(config: Config): ChannelConfig {
  return { publicUrl: config.publicUrl, maxBodyBytes: config.maxBodyBytes };
}

/** The Hono app: health, the channels' webhooks, the workflow callback, one error mapping. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.onError(errorHandler(deps.logger));
  app.use('*', securityHeadersAndDeadline(deps.config.requestTimeoutMs));
  app.notFound((c) => c.json({ error: 'not_found', message: `no route for ${c.req.method} ${c.req.path}` }, 404));

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const results = await Promise.all(
      Object.entries(deps.readiness).map(
        async ([name, check]) =>
          [name, await checkWithin(check, deps.readinessTimeoutMs ?? READINESS_TIMEOUT_MS)] as const,
      ),
    );
    const ready = results.every(([, ok]) => ok);
    return c.json({ status: ready ? 'ready' : 'not_ready', checks: Object.fromEntries(results) }, ready ? 200 : 503);
  });

  const { runtime, deliver, store, bus, limits } = deps;
  const config = channelConfig(deps.config);
  const auth = hostAuth(deps.config);
  for (const plugin of deps.registry.list()) {
    // The one door: everything a plugin uses from the gateway comes in here.
    plugin.mount(app, {
      runtime,
      config,
      ...auth,
      deliver,
      store,
      bus,
      limits,
      channelState: deps.channelStates(plugin.name),
      ...(deps.tryPace ? { tryPace: deps.tryPace } : {}),
      logger: deps.logger.child({ channel: plugin.name }),
    });
  }
  mountCallbackRoute(app, {
    runtime: deps.runtime,
    secret: deps.config.callbackSecret,
    maxBodyBytes: deps.config.maxBodyBytes,
    logger: deps.logger.child({ route: 'workflow-callback' }),
  });
  for (const [path, sub] of Object.entries(deps.mounts ?? {})) app.route(path, sub);
  return app;
}
