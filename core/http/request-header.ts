import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/**
 * A request header by its lowercase name, as `c.req.header(name)` answers it. Served by
 * @hono/node-server, it is read from Node's own parsed headers: `c.req.header` would first build a
 * fetch `Headers` of every header of the request (a tenth of a small request's HTTP cost).
 * Repeated headers are joined with ", " either way (Node drops repeats of a few singletons such as
 * Content-Length, which its parser already refuses when they differ).
 */
export function requestHeader(c: Context, name: string): string | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming) return c.req.header(name);
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
