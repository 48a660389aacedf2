import { Hono } from 'hono';
import type { Config } from './config.ts';
import { errorHandler } from './http/errors.ts';
import { requestDeadline, securityHeaders } from './http/middleware.ts';
import type { Logger } from './log.ts';
import type { PluginHost, PluginRegistry } from './plugin.ts';
import { withDeadline } from './runtime/deadline.ts';
import { mountCallbackRoute } from './workflows/callback-route.ts';

/** What every plugin is mounted with (its logger is made per channel); the app's own routes use it too. */
export type SharedHost = Omit<PluginHost, 'logger'>;

export interface AppDeps extends SharedHost {
  config: Config;
  logger: Logger;
  registry: PluginRegistry;
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

/** The Hono app: health, the channels' webhooks, the workflow callback, one error mapping. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.onError(errorHandler(deps.logger));
  app.use('*', securityHeaders());
  app.use('*', requestDeadline(deps.config.requestTimeoutMs));
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

  const { runtime, config, deliver, store, bus, limits } = deps;
  for (const plugin of deps.registry.list()) {
    // The one door: everything a plugin uses from the gateway comes in here.
    plugin.mount(app, {
      runtime,
      config,
      deliver,
      store,
      bus,
      limits,
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
