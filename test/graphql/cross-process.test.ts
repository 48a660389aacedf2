import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../app/gateway.ts';
import { type GatewayProcess, spawnGateway } from '../support/gateway-process.ts';
/**
 * Two gateway processes on one Redis: A runs in this test process, B is a child process
 * (`node main.ts`). They share only Redis (store, dedup, bus) and the secrets. The embedded workflow
 * runner calls back the process that started the workflow, so a message sent to B has its workflow
 * result land on B, and a client subscribed on A must receive it through the Redis bus.
 */
import { REDIS_URL } from '../support/redis.ts';
import {
  MESSAGES,
  type MessageEvent,
  openWsClient,
  postGraphql,
  SEND,
  STATE,
  type StateEvent,
  startConversation,
  subscribe,
} from './support/clients.ts';
import {
  HANDOFFS,
  type HandoffEventData,
  REPLY_AS_AGENT,
  TIMELINE_LIVE,
  type TimelineEntryData,
} from './support/operators.ts';

const prefix = `test:graphql:${randomUUID()}:`;
const env = {
  REDIS_URL,
  REDIS_KEY_PREFIX: prefix,
  SESSION_SECRET: randomUUID(),
  CALLBACK_SECRET: randomUUID(),
  ADMIN_TOKEN: randomUUID(),
  LOG_LEVEL: 'silent',
};

let processA: Gateway;
let processB: GatewayProcess;

beforeAll(async () => {
  [processA, processB] = await Promise.all([startGateway(env), spawnGateway({ ...env, LOG_LEVEL: 'info' })]);
}, 30_000);

afterAll(async () => {
  processB?.child.kill('SIGTERM');
  await Promise.all([processA?.stop(), processB?.exited]);
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
}, 30_000);

async function watch(baseUrl: string, conversationId: string, token: string) {
  const ws = openWsClient(baseUrl, token);
  const messages = subscribe<MessageEvent>(ws.client, MESSAGES, { id: conversationId }, 'messages');
  const state = subscribe<StateEvent>(ws.client, STATE, { id: conversationId }, 'conversationState');
  await state.next(); // both subscriptions are live on the bus
  return { ws, messages, state };
}

describe('subscriptions across gateway processes (Redis bus)', () => {
  it('delivers to a client on A the workflow result whose callback landed on B', async () => {
    expect(new URL(processA.url).port).not.toBe(new URL(processB.url).port);
    const { conversationId, token } = await startConversation(processA.url);
    const onA = await watch(processA.url, conversationId, token);
    try {
      // The same token works on B (shared SESSION_SECRET); B runs the turn and its workflow.
      const sent = await postGraphql<{ sendMessage: { status: string } }>(
        processB.url,
        SEND,
        { id: conversationId, text: 'consultar estado de OT-CORR-1' },
        token,
      );
      expect(sent.data?.sendMessage.status).toBe('PROCESSING');

      const answer = await onA.messages.next((m) => m.direction === 'OUT' && m.text.includes('En Progreso'));
      expect(answer.text).toContain('OT-CORR-1');
      await onA.state.next((s) => s.status === 'IDLE' && s.version > 1);
      expect(onA.messages.events.map((m) => m.direction)).toEqual(['IN', 'OUT', 'OUT']);
      expect(onA.state.events.map((s) => s.status)).toEqual(['IDLE', 'PROCESSING', 'IDLE']);
    } finally {
      await onA.ws.client.dispose();
    }
  });

  it('delivers to a client on B what happens on A, and both read the same conversation', async () => {
    const { conversationId, token } = await startConversation(processB.url);
    const onB = await watch(processB.url, conversationId, token);
    try {
      await postGraphql(processA.url, SEND, { id: conversationId, text: 'hola' }, token);
      const greeting = await onB.messages.next((m) => m.direction === 'OUT');
      expect(greeting.text).toMatch(/Hola/);
      expect(greeting.buttons.length).toBeGreaterThan(0);

      const query = 'query($id: ID!) { conversation(id: $id) { version status messages { direction text } } }';
      const [fromA, fromB] = await Promise.all([
        postGraphql(processA.url, query, { id: conversationId }, token),
        postGraphql(processB.url, query, { id: conversationId }, token),
      ]);
      expect(fromA.data).toEqual(fromB.data);
    } finally {
      await onB.ws.client.dispose();
    }
  });

  it('shows an admin on A the hand-offs and the timeline of turns that B runs', async () => {
    const { conversationId, token } = await startConversation(processB.url);
    const admin = openWsClient(processA.url, env.ADMIN_TOKEN);
    try {
      const handoffs = subscribe<HandoffEventData>(admin.client, HANDOFFS, {}, 'handoffs');
      const timeline = subscribe<TimelineEntryData>(admin.client, TIMELINE_LIVE, { id: conversationId }, 'timeline');
      await subscribe(admin.client, STATE, { id: conversationId }, 'conversationState').next();
      const mine = (kind: string) => (event: HandoffEventData) =>
        event.conversationId === conversationId && event.kind === kind;

      await postGraphql(processB.url, SEND, { id: conversationId, text: 'quiero hablar con una persona' }, token);
      expect(await handoffs.next(mine('STARTED'))).toMatchObject({ status: 'HANDOFF', channel: 'web' });
      await postGraphql(processB.url, SEND, { id: conversationId, text: '¿alguien ahí?' }, token);
      expect((await handoffs.next(mine('USER_MESSAGE'))).message).toMatchObject({ text: '¿alguien ahí?' });
      const replied = await postGraphql(
        processB.url,
        REPLY_AS_AGENT,
        { id: conversationId, text: 'Sí, dime', name: 'Ana', role: 'supervisora' },
        env.ADMIN_TOKEN,
      );
      expect(replied.errors).toBeUndefined();
      expect((await handoffs.next(mine('AGENT_MESSAGE'))).message).toMatchObject({ agent: 'Ana (supervisora)' });

      const entries = await Promise.all([1, 2, 3].map((version) => timeline.next((e) => e.version === version)));
      expect(entries.map((entry) => entry.event)).toEqual(['user.message', 'user.message', 'agent.message']);
      expect(entries[2]!.stateBefore).toBe('handoff');
    } finally {
      await admin.client.dispose();
    }
  });
});
