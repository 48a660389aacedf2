import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { topics } from '../../core/events/bus.ts';
import { createRedisEventBus } from '../../core/events/redis-bus.ts';
import { REDIS_URL } from '../support/redis.ts';
import {
  MESSAGES,
  type MessageEvent,
  postGraphql,
  SEND,
  STATE,
  type StateEvent,
  startConversation,
  subscribe,
  wsUrlOf,
} from './support/clients.ts';
import { client, harness, onCleanup } from './support/closed-after-each.ts';
import { createCountingBus } from './support/counting-bus.ts';
import { ADMIN_TOKEN } from './support/stub-services.ts';

/** A Redis bus on its own connections; `dropSubscriber` cuts its subscriber connection (ioredis reconnects). */
async function redisBus() {
  const publisher = new Redis(REDIS_URL);
  const subscriber = new Redis(REDIS_URL);
  const admin = new Redis(REDIS_URL);
  const subscriberId = await subscriber.client('ID');
  const bus = createRedisEventBus({ publisher, subscriber, prefix: `test:graphql-ws:${randomUUID()}:` });
  onCleanup(async () => {
    await bus.close();
    for (const redis of [publisher, subscriber, admin]) await redis.quit().catch(() => redis.disconnect());
  });
  return { bus, dropSubscriber: () => admin.client('KILL', 'ID', String(subscriberId)) };
}

describe('GraphQL over WebSocket (graphql-transport-ws)', () => {
  it('streams a conversation’s messages and state to its own subscriber as they happen', async () => {
    const { url } = await harness();
    const { conversationId, token } = await startConversation(url);
    const { client: ws } = client(url, token);
    const messages = subscribe<MessageEvent>(ws, MESSAGES, { id: conversationId }, 'messages');
    const state = subscribe<StateEvent>(ws, STATE, { id: conversationId }, 'conversationState');

    // The first state event (before any message) says the subscriptions are live.
    expect(await state.next()).toEqual({
      conversationId,
      state: null,
      status: 'IDLE',
      version: 0,
      pendingWorkflow: null,
    });

    const sent = await postGraphql(
      url,
      SEND,
      { id: conversationId, text: 'consultar estado de OT-CORR-1', clientMessageId: 'c1' },
      token,
    );
    expect(sent.errors).toBeUndefined();

    const inbound = await messages.next((m) => m.direction === 'IN');
    expect(inbound).toMatchObject({
      conversationId,
      text: 'consultar estado de OT-CORR-1',
      messageId: `${conversationId.slice(4)}.c1`,
    });
    const reply = await messages.next((m) => m.direction === 'OUT');
    expect(reply).toMatchObject({ text: 'Procesando…', buttons: [{ id: 'cancel', title: 'Cancelar' }] });
    expect(await state.next((s) => s.version === 1)).toEqual({
      conversationId,
      state: 'workOrderStatus.waiting',
      status: 'PROCESSING',
      version: 1,
      pendingWorkflow: { dagId: 'consultar_estado_ot', runId: 'run-1' },
    });
    expect(messages.errors).toEqual([]);
  });

  it('starts the state subscription with the current state of an existing conversation', async () => {
    const { url } = await harness();
    const { conversationId, token } = await startConversation(url);
    await postGraphql(url, SEND, { id: conversationId, text: 'hola' }, token);
    await postGraphql(url, SEND, { id: conversationId, text: 'hola otra vez' }, token);
    const { client: ws } = client(url, token);
    const state = subscribe<StateEvent>(ws, STATE, { id: conversationId }, 'conversationState');
    expect(await state.next()).toMatchObject({ version: 2, status: 'PROCESSING' });
  });

  it('refuses a connection without a valid token with 4403', async () => {
    const { url } = await harness();
    expect(await client(url).closed).toBe(4403);
    expect(await client(url, 'd2ViOng.forged').closed).toBe(4403);
  });

  it('refuses to subscribe to another conversation, but lets the admin watch any', async () => {
    const { url } = await harness({ adminToken: ADMIN_TOKEN });
    const mine = await startConversation(url);
    const other = await startConversation(url);
    const { client: ws } = client(url, mine.token);
    const denied = subscribe(ws, MESSAGES, { id: other.conversationId }, 'messages');
    await denied.ended;
    expect(denied.errors).toMatchObject([{ extensions: { code: 'FORBIDDEN' } }]);

    const { client: admin } = client(url, ADMIN_TOKEN);
    const watched = subscribe<StateEvent>(admin, STATE, { id: other.conversationId }, 'conversationState');
    expect(await watched.next()).toMatchObject({ conversationId: other.conversationId, version: 0 });
  });

  it('applies the same query limits as HTTP', async () => {
    const { url } = await harness();
    const { conversationId, token } = await startConversation(url);
    const { client: ws } = client(url, token);
    const fields = Array.from({ length: 16 }, (_, i) => `a${i}: text`).join(' ');
    const aliased = `subscription($id: ID!) { messages(conversationId: $id) { ${fields} } }`;
    const refused = subscribe(ws, aliased, { id: conversationId }, 'messages');
    await refused.ended;
    expect(refused.errors.flat()).toMatchObject([
      { message: 'query uses more than 15 aliases', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
    ]);
  });

  it('unsubscribes from the bus when a client completes its subscription or goes away', async () => {
    const bus = createCountingBus();
    const { url } = await harness({ bus });
    const { conversationId, token } = await startConversation(url);
    const first = client(url, token);
    const messages = subscribe(first.client, MESSAGES, { id: conversationId }, 'messages');
    const state = subscribe(first.client, STATE, { id: conversationId }, 'conversationState');
    await state.next();
    expect(bus.listeners()).toBe(2);

    messages.dispose();
    await bus.until((count) => count === 1);
    (await first.socket).terminate(); // the client vanishes without closing its subscription
    await bus.until((count) => count === 0);
    expect(bus.listeners()).toBe(0);
  });

  it('terminates a socket that stops answering pings, and drops its subscriptions', async () => {
    const bus = createCountingBus();
    const { url } = await harness({ bus, keepAliveMs: 50 });
    const { conversationId, token } = await startConversation(url);
    const silent = client(url, token, { wsOptions: { autoPong: false } });
    const state = subscribe(silent.client, STATE, { id: conversationId }, 'conversationState');
    await state.next();
    expect(await silent.closed).toBe(1006);
    await bus.until((count) => count === 0);
  });

  it('drops a subscriber whose socket stops reading, while the others get every event', async () => {
    // graphql-ws awaits each send, so a stalled socket backs events up in the subscription's bounded
    // queue (default 100 events): past it, the socket is terminated instead of buffering without end.
    const bus = createCountingBus();
    const { url, graphql } = await harness({ bus });
    const { conversationId, token } = await startConversation(url);
    const healthy = client(url, token);
    const slow = client(url, token);
    const healthyMessages = subscribe<MessageEvent>(healthy.client, MESSAGES, { id: conversationId }, 'messages');
    const healthyState = subscribe(healthy.client, STATE, { id: conversationId }, 'conversationState');
    const slowState = subscribe(slow.client, STATE, { id: conversationId }, 'conversationState');
    subscribe(slow.client, MESSAGES, { id: conversationId }, 'messages');
    await Promise.all([healthyState.next(), slowState.next()]);
    expect(graphql.ws.connections()).toBe(2);

    // The slow client stops reading its socket: the server's unsent bytes grow.
    const slowSocket = (await slow.socket) as WebSocket & { _socket: Socket };
    slowSocket._socket.pause();

    const text = 'x'.repeat(40 * 1024);
    let published = 0;
    // Bounded: far more than the kernel buffers plus the limit; stops as soon as the slow one is dropped.
    while (graphql.ws.connections() === 2 && published < 2_000) {
      for (let i = 0; i < 10; i++) {
        const at = String(published++);
        bus.publish(topics.messages(conversationId), { conversationId, direction: 'out', text, at });
      }
      const last = String(published - 1);
      await healthyMessages.next((m) => m.at === last);
    }

    expect(graphql.ws.connections()).toBe(1);
    slowSocket._socket.resume();
    expect(await slow.closed).toBe(1006);
    // The healthy subscriber got every event, in order, and is still subscribed (2 listeners).
    expect(healthyMessages.events.map((m) => m.at)).toEqual(Array.from({ length: published }, (_, i) => String(i)));
    expect(bus.listeners()).toBe(2);
  });

  it('ends a state subscription whose first read fails, with a clean error, and keeps the socket', async () => {
    const bus = createCountingBus();
    const { url, services, graphql } = await harness({ bus });
    const { conversationId, token } = await startConversation(url);
    const { client: ws } = client(url, token);
    const getConversation = services.runtime.getConversation;
    services.runtime.getConversation = () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.7:6379'));

    const failed = subscribe(ws, STATE, { id: conversationId }, 'conversationState');
    await failed.ended;
    expect(failed.errors).toMatchObject([{ extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
    expect(JSON.stringify(failed.errors)).not.toContain('ECONNREFUSED');
    await expect.poll(() => bus.listeners(), { timeout: 5_000 }).toBe(0);

    // Far more state events than a subscription may queue: nothing is left to overflow and drop the socket.
    services.runtime.getConversation = getConversation;
    const state = subscribe<StateEvent>(ws, STATE, { id: conversationId }, 'conversationState');
    await state.next();
    for (let version = 1; version <= 150; version++) {
      bus.publish(topics.state(conversationId), { conversationId, state: 'idle', status: 'idle', version });
      if (version % 10 === 0) await state.next((s) => s.version === version);
    }
    expect(graphql.ws.connections()).toBe(1);
    expect(bus.listeners()).toBe(1);
  });

  it('allows 16 operations per socket and refuses the 17th', async () => {
    const { url } = await harness();
    const { conversationId, token } = await startConversation(url);
    const { client: ws } = client(url, token);
    const allowed = Array.from({ length: 16 }, () =>
      subscribe<StateEvent>(ws, STATE, { id: conversationId }, 'conversationState'),
    );
    await Promise.all(allowed.map((s) => s.next()));
    expect(allowed.flatMap((s) => s.errors)).toEqual([]);

    const refused = subscribe(ws, STATE, { id: conversationId }, 'conversationState');
    await refused.ended;
    expect(refused.errors.flat()).toMatchObject([
      { message: 'at most 16 operations per connection', extensions: { code: 'RATE_LIMITED' } },
    ]);
  });

  it('asks subscribers to reconnect (1012) when the Redis bus reconnects, since events may have been lost', async () => {
    const { bus, dropSubscriber } = await redisBus();
    const { url } = await harness({ bus });
    const { conversationId, token } = await startConversation(url);
    const watcher = client(url, token);
    const state = subscribe<StateEvent>(watcher.client, STATE, { id: conversationId }, 'conversationState');
    await state.next();

    await dropSubscriber();
    expect(await watcher.closed).toBe(1012);

    // Reconnecting and resubscribing gives the current state again, and live events flow.
    const { client: again } = client(url, token);
    const resumed = subscribe<StateEvent>(again, STATE, { id: conversationId }, 'conversationState');
    expect(await resumed.next()).toMatchObject({ conversationId, version: 0 });
    await postGraphql(url, SEND, { id: conversationId, text: 'hola' }, token);
    expect(await resumed.next((s) => s.version === 1)).toMatchObject({ status: 'PROCESSING' });
  });

  it('refuses an oversized HTTP body with 413 and PAYLOAD_TOO_LARGE', async () => {
    const { url } = await harness();
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ __typename } # ${'x'.repeat(70 * 1024)}` }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ errors: [{ extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
  });

  it('takes WebSocket upgrades on /graphql only', async () => {
    const { url } = await harness();
    const elsewhere = new WebSocket(wsUrlOf(url).replace('/graphql', '/other'), 'graphql-transport-ws');
    const status = await new Promise<number>((resolve) => {
      elsewhere.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      elsewhere.on('error', () => {});
    });
    expect(status).toBe(404);
  });
});
