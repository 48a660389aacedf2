import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { type Gateway, startGateway } from '../../app/gateway.ts';
import { createLogger } from '../../core/log.ts';
import { MESSAGES, openWsClient, postGraphql, SEND, START, startConversation, wsUrlOf } from './support/clients.ts';

const started: Gateway[] = [];
afterAll(async () => {
  for (const gateway of started) await gateway.stop();
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function gatewayWith(env: Record<string, string>, lines: string[] = []): Promise<Gateway> {
  const logger = createLogger('info', {}, (line) => lines.push(line));
  const gateway = await startGateway({ LOG_LEVEL: 'silent', ...env }, { port: 0, host: '127.0.0.1', logger });
  started.push(gateway);
  return gateway;
}

/** A raw `graphql-transport-ws` socket: resolves with its close code, or the HTTP status that refused the upgrade. */
function rawSocket(gateway: Gateway) {
  const socket = new WebSocket(wsUrlOf(gateway.url), 'graphql-transport-ws');
  const outcome = new Promise<{ opened: boolean; code: number }>((resolve) => {
    let opened = false;
    socket.once('open', () => (opened = true));
    socket.once('unexpected-response', (_request, response) => resolve({ opened, code: response.statusCode ?? 0 }));
    socket.once('close', (code) => resolve({ opened, code }));
    socket.once('error', () => {});
  });
  const open = new Promise<void>((resolve) => socket.once('open', () => resolve()));
  return { socket, outcome, open };
}

/** A graphql-ws client and the moment the gateway acknowledged its connection. */
function connected(gateway: Gateway, token: string) {
  const ws = openWsClient(gateway.url, token);
  const acknowledged = new Promise<void>((resolve) => ws.client.on('connected', () => resolve()));
  return { ...ws, acknowledged };
}

function sse(gateway: Gateway, conversationId: string, token: string, signal: AbortSignal) {
  return fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: MESSAGES, variables: { id: conversationId } }),
    signal,
  });
}

describe('GraphQL rate limits', () => {
  it('answers startConversation past the per-address budget with 429, Retry-After and RATE_LIMITED', async () => {
    const gateway = await gatewayWith({ RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '3' });
    for (let i = 0; i < 3; i++) await startConversation(gateway.url);
    const refused = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: START }),
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await refused.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(body.errors[0]?.extensions.code).toBe('RATE_LIMITED');
    expect(body.errors[0]?.extensions.http).toBeUndefined(); // yoga consumes it
  });

  it('limits sendMessage per conversation, not the other conversations', async () => {
    const gateway = await gatewayWith({ RATE_LIMIT_PER_CONVERSATION_PER_MINUTE: '2' });
    const busy = await startConversation(gateway.url);
    const other = await startConversation(gateway.url);
    const send = (session: { conversationId: string; token: string }) =>
      postGraphql(gateway.url, SEND, { id: session.conversationId, text: 'hola' }, session.token);
    expect((await send(busy)).errors).toBeUndefined();
    expect((await send(busy)).errors).toBeUndefined();
    expect((await send(busy)).errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect((await send(other)).errors).toBeUndefined();
  });
});

describe('connection caps', () => {
  it('refuses WebSockets past the per-address cap with 429, and takes one again once a socket closes', async () => {
    const gateway = await gatewayWith({ WS_MAX_SOCKETS_PER_ADDRESS: '2' });
    const first = rawSocket(gateway);
    const second = rawSocket(gateway);
    await Promise.all([first.open, second.open]);
    const third = rawSocket(gateway);
    expect(await third.outcome).toEqual({ opened: false, code: 429 });
    first.socket.close();
    await first.outcome;
    const again = rawSocket(gateway);
    await again.open;
    again.socket.close();
    second.socket.close();
  });

  it('closes a WebSocket past the per-token cap with 1013 (try again later), other tokens unaffected', async () => {
    const gateway = await gatewayWith({ WS_MAX_SOCKETS_PER_TOKEN: '2' });
    const { token } = await startConversation(gateway.url);
    // Slots are taken at connection_init: wait until both sockets are acknowledged.
    const clients = [connected(gateway, token), connected(gateway, token)];
    await Promise.all(clients.map((c) => c.acknowledged));
    const third = openWsClient(gateway.url, token);
    expect(await third.closed).toBe(1013);
    const stranger = connected(gateway, (await startConversation(gateway.url)).token);
    await stranger.acknowledged;
    for (const c of [...clients, stranger]) await c.client.dispose();
  });

  it('refuses SSE streams past the per-token cap with 429, and takes one again once a stream ends', async () => {
    const gateway = await gatewayWith({ SSE_MAX_STREAMS_PER_TOKEN: '2' });
    const { conversationId, token } = await startConversation(gateway.url);
    const aborts = [new AbortController(), new AbortController()];
    const open = await Promise.all(aborts.map((a) => sse(gateway, conversationId, token, a.signal)));
    expect(open.map((r) => r.status)).toEqual([200, 200]);
    const refused = await sse(gateway, conversationId, token, new AbortController().signal);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeTruthy();
    await refused.body?.cancel();
    aborts[0]!.abort();
    await expect
      .poll(async () => {
        const retry = new AbortController();
        const response = await sse(gateway, conversationId, token, retry.signal);
        retry.abort();
        return response.status;
      })
      .toBe(200);
    aborts[1]!.abort();
  });

  it('refuses SSE streams past the per-address cap whatever token they use (tokens are free)', async () => {
    const gateway = await gatewayWith({ SSE_MAX_STREAMS_PER_ADDRESS: '2' });
    const sessions = await Promise.all([1, 2, 3].map(() => startConversation(gateway.url)));
    const abort = new AbortController();
    const answers = [];
    for (const session of sessions)
      answers.push(await sse(gateway, session.conversationId, session.token, abort.signal));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 429]);
    abort.abort();
  });
});

describe('WebSocket errors are logged as JSON', () => {
  it('closes a socket sending a frame over the limit with 1009, logging one JSON line and no stack trace', async () => {
    const lines: string[] = [];
    const gateway = await gatewayWith({}, lines);
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { socket, outcome, open } = rawSocket(gateway);
    await open;
    socket.send(JSON.stringify({ type: 'connection_init', payload: { junk: 'x'.repeat(100 * 1024) } }));
    expect((await outcome).code).toBe(1009);
    await expect.poll(() => lines.some((line) => /protocol error/.test(line))).toBe(true);
    expect(printed).not.toHaveBeenCalled();
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });
});
