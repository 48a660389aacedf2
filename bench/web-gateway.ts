import { writeFile } from 'node:fs/promises';
import { type Server, startServer } from './servers.ts';

/** The gateway's WEB_API_KEY in the benchmark (the bare echo ignores it). */
export const BENCH_WEB_API_KEY = 'bench-web-api-key';
/** Every request the benchmark itself sends (capture, footprint) answers within this. */
const REQUEST_DEADLINE_MS = 10_000;

/** Users are "bench-00000", "bench-00001", … (five digits: every reply is the same length). */
export const benchUser = (n: number) => `bench-${String(n).padStart(5, '0')}`;

/**
 * The gateway's environment: a backend with WEB_API_KEY (as production must run: its users' chats are
 * trusted, so each turn also reads the conversation's CMMS link, none here). With `redis` the Redis
 * store under its own prefix; without, the embedded memory store (no REDIS_URL), with its default caps.
 * Conversations and message ids live 10 minutes (the runs' keys go soon), or, with `productionTtls`,
 * as long as the defaults keep them (what a footprint measures).
 */
export function gatewayEnv(redis?: { url: string; prefix: string }, productionTtls = false): Record<string, string> {
  return {
    ...(redis ? { REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.prefix } : {}),
    LOG_LEVEL: 'info',
    WEB_API_KEY: BENCH_WEB_API_KEY,
    ...(productionTtls ? {} : { CONVERSATION_TTL_SECONDS: '600', DEDUP_TTL_SECONDS: '600' }),
    // Thousands of requests per second from one address into a few conversations: no rate limits.
    RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0',
    RATE_LIMIT_PER_CONVERSATION_PER_MINUTE: '0',
    RATE_LIMIT_PER_CONVERSATION_PER_DAY: '0',
  };
}

/** Starts a gateway pinned to core 1 and checks that it runs the store asked for. */
export async function startGateway(
  redis?: { url: string; prefix: string },
  core: number | null = 1,
  productionTtls = false,
): Promise<Server> {
  const gateway = await startServer('main.ts', gatewayEnv(redis, productionTtls), core);
  const expected = redis ? 'redis' : 'memory';
  if (gateway.listening.store !== expected) {
    await gateway.stop();
    throw new Error(`the gateway started with the ${String(gateway.listening.store)} store, not ${expected}`);
  }
  return gateway;
}

export interface Reply {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/** POST /api/bot/message as the benchmark's backend. */
export async function postMessage(url: string, userId: string, message: string, messageId: string): Promise<Reply> {
  const response = await fetch(`${url}/api/bot/message`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': BENCH_WEB_API_KEY },
    body: JSON.stringify({ user_id: userId, message, message_id: messageId }),
    signal: AbortSignal.timeout(REQUEST_DEADLINE_MS),
  });
  const body = await response.text();
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { status: response.status, body, headers };
}

/** Headers of the connection, not of the reply: the bare server's HTTP stack writes its own. */
const TRANSPORT_HEADERS = new Set(['date', 'content-length', 'connection', 'keep-alive', 'transfer-encoding']);

/**
 * The gateway's answer to "hola" (body and headers, as the bare echo is to give them), written to
 * `file` for bench/bare-echo.ts. Returns the body's size in bytes.
 */
export async function captureReply(gatewayUrl: string, file: string, runId: string): Promise<number> {
  const reply = await postMessage(gatewayUrl, benchUser(0), 'hola', `${runId}-capture`);
  if (reply.status !== 200) throw new Error(`the gateway answered "hola" with ${reply.status}: ${reply.body}`);
  const headers = Object.fromEntries(Object.entries(reply.headers).filter(([name]) => !TRANSPORT_HEADERS.has(name)));
  await writeFile(file, JSON.stringify({ body: reply.body, headers }));
  return Buffer.byteLength(reply.body);
}
