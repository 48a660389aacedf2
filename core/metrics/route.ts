import type { Hono } from 'hono';
import { bearerToken } from '../auth/bearer.ts';
import { safeEqual } from '../auth/safe-equal.ts';
import { AuthError } from '../errors.ts';
import { collectProcessMetrics, metricsRegistry } from './registry.ts';

/**
 * `GET /metrics` in Prometheus text format, for `Authorization: Bearer <METRICS_TOKEN or ADMIN_TOKEN>`
 * (401 otherwise). With neither token set the route does not exist (404): metrics are never public.
 */
export function mountMetricsRoute(app: Hono, options: { tokens: Array<string | undefined> }): void {
  const tokens = options.tokens.filter((token): token is string => !!token);
  if (tokens.length === 0) return;
  collectProcessMetrics();
  app.get('/metrics', async (c) => {
    const given = bearerToken(c.req.header('authorization'));
    // Every token is compared (constant time each): which one matched is not observable either.
    const matches = given ? tokens.map((token) => safeEqual(given, token)) : [];
    if (!matches.includes(true)) {
      c.header('www-authenticate', 'Bearer realm="metrics"');
      throw new AuthError('metrics token required (Authorization: Bearer <METRICS_TOKEN or ADMIN_TOKEN>)');
    }
    return c.body(await metricsRegistry.metrics(), 200, { 'content-type': metricsRegistry.contentType });
  });
}
