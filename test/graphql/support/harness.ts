import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import type { EventBus } from '../../../core/events/bus.ts';
import type { SubscriptionLimits } from '../../../core/graphql/context.ts';
import { mountGraphql } from '../../../core/graphql/index.ts';
import { createStubServices } from './stub-services.ts';

/**
 * `/graphql` (HTTP + WebSocket) alone on a real server on port 0, over the scripted runtime: for the
 * WebSocket protocol, access and flow-control tests (the real gateway is in gateway.test.ts).
 */
export interface HarnessOptions {
  subscriptionLimits?: SubscriptionLimits;
  keepAliveMs?: number;
  adminToken?: string;
  bus?: EventBus;
}

export async function startHarness(options: HarnessOptions = {}) {
  const stub = createStubServices({ adminToken: options.adminToken, ...(options.bus ? { bus: options.bus } : {}) });
  const app = new Hono();
  const server = createServer(getRequestListener(app.fetch));
  const graphql = mountGraphql({
    app,
    server,
    services: stub.services,
    ...(options.subscriptionLimits ? { subscriptionLimits: options.subscriptionLimits } : {}),
    ...(options.keepAliveMs ? { keepAliveMs: options.keepAliveMs } : {}),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    ...stub,
    url,
    graphql,
    async close() {
      await graphql.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
