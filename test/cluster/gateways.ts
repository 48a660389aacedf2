import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { expect } from 'vitest';
import { type Gateway, startGateway } from '../../app/gateway.ts';
import { createDemoCmmsApp, DEMO_CMMS_TOKEN } from '../../core/cmms/demo-server.ts';
import { createLogger } from '../../core/log.ts';
import { scanKeys } from '../../core/redis-scan.ts';
import { signBody } from '../../core/workflows/callback.ts';
import { type GatewayProcess, spawnGateway } from '../support/gateway-process.ts';
import { readyCluster, testClusterSecurityEnv } from '../support/redis.ts';

/**
 * Two gateway processes on the tier's Redis Cluster: A runs in the test process, B is `node main.ts`.
 * They share only the cluster (store, dedup, bus, run registry), the secrets and one CMMS.
 */
export interface GatewayPair {
  a: Gateway;
  b: GatewayProcess;
  /** A's log lines (JSON, info and above), as B's are in `b.logs`. */
  aLogs: string[];
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** The env of both processes: the cluster (never REDIS_URL), a prefix of their own, shared secrets. */
export function clusterEnv(prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  const nodes = process.env.REDIS_CLUSTER_NODES;
  if (!nodes) throw new Error('REDIS_CLUSTER_NODES is not set (scripts/redis-cluster/test.sh sets it)');
  return {
    REDIS_CLUSTER_NODES: nodes,
    ...testClusterSecurityEnv(),
    REDIS_KEY_PREFIX: prefix,
    SESSION_SECRET: randomUUID(),
    CALLBACK_SECRET: randomUUID(),
    ADMIN_TOKEN: randomUUID(),
    IDENTITY_REQUIRED: 'none',
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

export async function startPair(env: Record<string, string>): Promise<GatewayPair> {
  const aLogs: string[] = [];
  const logger = createLogger('info', { service: 'omnibot' }, (line) => aLogs.push(line));
  const [a, b] = await Promise.all([
    startGateway(env, { port: 0, host: '127.0.0.1', logger }),
    spawnGateway({ ...env, LOG_LEVEL: 'info' }),
  ]);
  return {
    a,
    b,
    aLogs,
    env,
    async stop() {
      b.child.kill('SIGTERM');
      await Promise.all([a.stop(), b.exited]);
    },
  };
}

/**
 * The demo CMMS on a port of its own, shared by both processes (each would otherwise answer from its
 * own embedded one). It counts the orders created, and can hold the requests whose path matches until
 * `close` (a workflow that never calls back).
 */
export async function sharedCmms(options: { hold?: RegExp } = {}) {
  let created = 0;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const app = new Hono();
  app.use('*', async (c, next) => {
    if (options.hold?.test(c.req.path)) await released;
    await next();
    if (c.req.method === 'POST' && c.req.path.endsWith('/reportar-falla/') && c.res.ok) created++;
  });
  app.route('/', createDemoCmmsApp());
  const server = createServer(getRequestListener(app.fetch));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    env: { CMMS_URL: url, CMMS_TOKEN: DEMO_CMMS_TOKEN },
    createdOrders: () => created,
    /** Lets the held requests (and later ones) through: their runs end, late. */
    release,
    async close() {
      release();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

export interface StoredEvent {
  type: string;
  [field: string]: unknown;
}

/** A conversation's event log through the admin API of `baseUrl`. */
export async function eventLog(baseUrl: string, adminToken: string, conversationId: string): Promise<StoredEvent[]> {
  const response = await fetch(`${baseUrl}/admin/conversations/${encodeURIComponent(conversationId)}/events`, {
    headers: { authorization: `Bearer ${adminToken}` },
  });
  expect(response.status, await response.clone().text()).toBe(200);
  const body = (await response.json()) as { events: { event: StoredEvent }[] };
  return body.events.map((entry) => entry.event);
}

/** POSTs a workflow callback signed as the runners sign it (CALLBACK_SECRET over the raw body). */
export function postCallback(baseUrl: string, secret: string, body: Record<string, unknown>) {
  const raw = JSON.stringify(body);
  return fetch(`${baseUrl}/api/bot/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-omnibot-signature': signBody(secret, raw) },
    body: raw,
  });
}

/** How many keys under `prefix` each master holds (the gateways really wrote to the cluster). */
export async function keysPerMaster(prefix: string): Promise<number[]> {
  const cluster = await readyCluster();
  try {
    return await Promise.all(
      cluster.nodes('master').map(async (node) => {
        const seen = new Set<string>();
        for await (const keys of scanKeys(node, `${prefix}*`)) for (const key of keys) seen.add(key);
        return seen.size;
      }),
    );
  } finally {
    await cluster.quit();
  }
}
