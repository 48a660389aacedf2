import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../app/gateway.ts';
import { type OwnRedis, startOwnRedis } from '../support/own-redis.ts';
import { type WebAnswer, webClient } from '../support/web-client.ts';

/** This file's own redis-server (never the shared one; a free port): it is killed and paused here. */
let redis: OwnRedis; // unset when it failed to start: the cleanups below use `?.`
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(async () => {
  redis = await startOwnRedis();
  process.on('unhandledRejection', onUnhandled);
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  redis?.resume();
  await redis?.kill();
});

let gateway: Gateway | undefined;
afterEach(async () => {
  redis?.resume();
  await redis?.start(); // when a test killed it
  await gateway?.stop();
  gateway = undefined;
});

const start = async (env: Record<string, string>) => {
  gateway = await startGateway(
    {
      LOG_LEVEL: 'silent',
      IDENTITY_REQUIRED: 'none',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `outage-${Date.now()}:`,
      ...env,
    },
    { port: 0, host: '127.0.0.1' },
  );
  return gateway;
};

/** Every answer here comes at once; the signal only turns a hang into a failure. */
const post = (url: string, body: Record<string, unknown>) =>
  fetch(`${url}/api/bot/message`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
async function graphql(url: string, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(15_000),
  });
  // biome-ignore lint/suspicious/noExplicitAny: a GraphQL answer, read field by field below
  return (await response.json()) as { data: any; errors?: { extensions?: { code?: string } }[] };
}
const readyz = (url: string) => fetch(`${url}/readyz`, { signal: AbortSignal.timeout(15_000) });

async function untilReady(url: string): Promise<number> {
  let status = 0;
  for (let i = 0; i < 100 && status !== 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    status = (await readyz(url)).status;
  }
  return status;
}

describe('a Redis outage', () => {
  it('answers 503 with Retry-After while Redis is down (never 500; GraphQL says UNAVAILABLE), and serves again once it is back', async () => {
    const { url } = await start({});
    expect((await post(url, { user_id: 'down', message: 'hola' })).status).toBe(200);
    const started = await graphql(url, 'mutation { startConversation { conversationId token } }');
    const { conversationId, token } = started.data.startConversation;

    await redis.kill();
    const sent = await graphql(
      url,
      'mutation($id: ID!) { sendMessage(conversationId: $id, text: "hola") { duplicate } }',
      { id: conversationId },
      token,
    );
    expect(sent.errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');
    const refused = await post(url, { user_id: 'down', message: 'hola' });
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ error: 'store_unavailable' });
    expect((await readyz(url)).status).toBe(503);

    await redis.start();
    expect(await untilReady(url)).toBe(200);
    expect((await post(url, { user_id: 'down', message: 'hola' })).status).toBe(200);
    expect(unhandled).toEqual([]);
  });

  it('answers 503 with Retry-After while Redis is stalled (a Redis command timeout), and /readyz at once', async () => {
    const { url } = await start({ REDIS_COMMAND_TIMEOUT_MS: '300' });
    expect((await post(url, { user_id: 'stalled', message: 'hola' })).status).toBe(200);

    redis.pause();
    const stalled = await post(url, { user_id: 'stalled', message: 'hola' });
    expect(stalled.status).toBe(503);
    expect(Number(stalled.headers.get('retry-after'))).toBeGreaterThan(0);
    const ready = await readyz(url);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ checks: { redis: false } });

    redis.resume();
    expect(await untilReady(url)).toBe(200);
    expect((await post(url, { user_id: 'stalled', message: 'hola' })).status).toBe(200);
    expect(unhandled).toEqual([]);
  });

  it('answers 503 at the request deadline, and a retry with the same message id gets the one answer', async () => {
    const { url } = await start({ REDIS_COMMAND_TIMEOUT_MS: '60000', REQUEST_TIMEOUT_MS: '2000' });
    const client = webClient(url);
    await client.send('deadline', 'hola');

    redis.pause();
    const late = await post(url, { user_id: 'deadline', message: 'reportar falla', message_id: 'deadline-1' });
    expect(late.status).toBe(503);
    expect(Number(late.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await late.json()).toMatchObject({ error: 'request_timeout' });

    redis.resume(); // the first attempt goes on and commits
    let retried = await post(url, { user_id: 'deadline', message: 'reportar falla', message_id: 'deadline-1' });
    for (let i = 0; i < 50 && [409, 503].includes(retried.status); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      retried = await post(url, { user_id: 'deadline', message: 'reportar falla', message_id: 'deadline-1' });
    }
    expect(retried.status).toBe(200);
    const answer = (await retried.json()) as WebAnswer;
    expect(answer.replies[0]?.text).toBeTruthy();
    const { messages } = await client.messages(answer.conversation_id, answer.conversation_token);
    // Processed once: one inbound message, one answer to it.
    expect(messages.filter((m) => m.direction === 'in' && m.text === 'reportar falla')).toHaveLength(1);
    expect(messages.filter((m) => m.direction === 'out' && m.text === answer.replies[0]?.text)).toHaveLength(1);
    expect(unhandled).toEqual([]);
  });

  it('answers GraphQL with HTTP 503 and Retry-After while Redis is down, subscriptions (SSE) included', async () => {
    const { url } = await start({});
    const started = await graphql(url, 'mutation { startConversation { conversationId token } }');
    const { conversationId, token } = started.data.startConversation;
    const request = (query: string, accept = 'application/json') =>
      fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables: { id: conversationId } }),
        signal: AbortSignal.timeout(15_000),
      });

    await redis.kill();
    const sent = await request('mutation($id: ID!) { sendMessage(conversationId: $id, text: "hola") { duplicate } }');
    expect(sent.status).toBe(503);
    expect(Number(sent.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await sent.json()).toMatchObject({ errors: [{ extensions: { code: 'UNAVAILABLE' } }] });
    // Not a stream of keep-alives that never carries an event: refused, to be opened again later.
    const stream = await request(
      'subscription($id: ID!) { messages(conversationId: $id) { text } }',
      'text/event-stream',
    );
    expect(stream.status).toBe(503);
    expect(Number(stream.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await stream.text()).toContain('UNAVAILABLE');
    expect(unhandled).toEqual([]);
  });
});
