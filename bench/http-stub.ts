import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { type AppDeps, createApp } from '../core/app.ts';
import { loadConfig } from '../core/config.ts';
import { memoryChannelStates } from '../core/delivery/channel-state.ts';
import { createLimits, NO_LIMITS } from '../core/limits/index.ts';
import { createLogger } from '../core/log.ts';
import { PluginRegistry } from '../core/plugin.ts';
import type { TurnResult } from '../core/runtime/types.ts';
import type { InboundMessage } from '../core/types.ts';
import { createWebPlugin } from '../plugins/web/index.ts';

/**
 * The gateway's HTTP layer alone: the real app (middleware, error mapping, the web plugin's route)
 * over a runtime stub that answers every message at once with the gateway's "hola" turn (its replies,
 * state and status from BENCH_REPLY_FILE, as bare-echo.ts; a fixed reply without it). Against
 * bare-echo.ts it is the HTTP layer's own cost; against the gateway, the rest (turn, store).
 * Env: PORT (default 0), WEB_API_KEY (default bench-web-api-key), BENCH_REPLY_FILE.
 */
const env = { ...process.env, WEB_API_KEY: process.env.WEB_API_KEY ?? 'bench-web-api-key' };
const config = loadConfig(env);
const logger = createLogger(config.logLevel, { service: 'http-stub' });

type Turn = Pick<TurnResult, 'replies' | 'state' | 'status'>;
const file = process.env.BENCH_REPLY_FILE;
const turn: Turn = file
  ? (JSON.parse((JSON.parse(readFileSync(file, 'utf8')) as { body: string }).body) as Turn)
  : { replies: [{ conversationId: '', text: '¡Hola! ¿En qué te ayudo?' }], state: 'menu', status: 'idle' };

const runtime = {
  async receive(message: InboundMessage): Promise<TurnResult> {
    return { ...turn, conversationId: message.conversationId, duplicate: false };
  },
};
const registry = new PluginRegistry().register(createWebPlugin({ apiKey: env.WEB_API_KEY }));
const app = createApp({
  config,
  logger,
  registry,
  runtime,
  deliver: async () => {},
  store: {},
  bus: {},
  limits: createLimits(NO_LIMITS),
  channelStates: memoryChannelStates(),
  readiness: {},
} as unknown as AppDeps);

const server = createServer(getRequestListener(app.fetch));
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  logger.info({ url: `http://127.0.0.1:${port}` }, 'listening');
});
process.on('SIGINT', () => server.close(() => process.exit(0)));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
