import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { addressOfContext } from '../limits/client-address.ts';
import type { GraphqlServices } from './context.ts';
import { mountGraphiqlAssets, withGraphiqlHeaders } from './graphiql.ts';
import { createGraphqlWsServer, type GraphqlWsServer } from './ws.ts';
import { createGraphqlYoga, GRAPHQL_PATH, type GraphqlYoga, type GraphqlYogaOptions } from './yoga.ts';

export { createGraphqlYoga, GRAPHQL_PATH } from './yoga.ts';

/** The part of a node http server the WebSocket endpoint needs (`@hono/node-server`'s `serve()` result). */
export interface UpgradeSource {
  on(event: 'upgrade', listener: (request: IncomingMessage, socket: Duplex, head: Buffer) => void): unknown;
  off(event: 'upgrade', listener: (request: IncomingMessage, socket: Duplex, head: Buffer) => void): unknown;
  listenerCount(event: 'upgrade'): number;
}

export interface MountGraphqlOptions extends GraphqlYogaOptions {
  app: Hono;
  server: UpgradeSource;
  services: GraphqlServices;
  keepAliveMs?: number;
  /** Largest HTTP request body (default 64 KiB; WebSocket messages have the same bound). */
  maxBodyBytes?: number;
}

export interface MountedGraphql {
  yoga: GraphqlYoga;
  ws: GraphqlWsServer;
  close(): Promise<void>;
}

/**
 * `/graphql` over HTTP (yoga on the Hono app) and over WebSocket (graphql-ws on the same port, via
 * the node server's `upgrade` event).
 */
export function mountGraphql(options: MountGraphqlOptions): MountedGraphql {
  const { app, server, services } = options;
  const yoga = createGraphqlYoga(services, options);
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
  app.use(
    GRAPHQL_PATH,
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: (c) =>
        c.json(
          { errors: [{ message: `body exceeds ${maxBodyBytes} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] },
          413,
        ),
    }),
  );
  const trustedHops = services.limits?.settings.trustedProxyHops ?? 0;
  app.on(['GET', 'POST'], GRAPHQL_PATH, async (c) => {
    const response = await yoga.fetch(c.req.raw, { clientAddress: addressOfContext(c, trustedHops) });
    // GraphiQL's page (a browser's GET) gets its own CSP; its assets are served next to it.
    return options.graphiql && c.req.method === 'GET' ? withGraphiqlHeaders(response) : response;
  });
  if (options.graphiql) mountGraphiqlAssets(app);

  const ws = createGraphqlWsServer({
    yoga,
    secrets: services.config,
    logger: services.logger.child({ component: 'graphql-ws' }),
    keepAliveMs: options.keepAliveMs,
    maxPayloadBytes: maxBodyBytes,
    ...(services.limits ? { limits: services.limits } : {}),
  });
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (ws.handleUpgrade(request, socket, head)) return;
    // Nobody else takes upgrades: refuse instead of leaving the socket open.
    if (server.listenerCount('upgrade') === 1) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  };
  server.on('upgrade', onUpgrade);

  return {
    yoga,
    ws,
    async close() {
      server.off('upgrade', onUpgrade);
      await ws.close();
    },
  };
}
