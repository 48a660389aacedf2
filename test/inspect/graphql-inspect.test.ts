import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../app/gateway.ts';
import { topics } from '../../core/events/bus.ts';
import {
  openWsClient,
  type Subscription,
  startConversation,
  subscribe,
  type WsClient,
} from '../graphql/support/clients.ts';
import { type GatewayProcess, spawnGateway } from '../support/gateway-process.ts';
import { clearPrefix, connectRedis, REDIS_URL, uniquePrefix } from '../support/redis.ts';
import { webClient } from '../support/web-client.ts';

/**
 * The admin-only `inspect(conversationId)` subscription across two gateway processes on one Redis:
 * A runs in this test process (with ADMIN_TOKEN), B is `node main.ts` (without ADMIN_TOKEN). An admin
 * subscribed on A sees the inspection records of turns that run on B.
 */
const ADMIN_TOKEN = `admin-${randomUUID()}`;
const prefix = uniquePrefix('inspect-gql');
const busChannel = (topic: string) => `${prefix}bus:${topic}`;
const CONTROL = busChannel('inspect.control');
const env = {
  REDIS_URL,
  REDIS_KEY_PREFIX: prefix,
  SESSION_SECRET: randomUUID(),
  CALLBACK_SECRET: randomUUID(),
  LOG_LEVEL: 'silent',
  IDENTITY_REQUIRED: 'none',
};

const INSPECT = `subscription Inspect($id: ID!) {
  inspect(conversationId: $id) { conversationId at kind actorId src event state status action context }
}`;

interface InspectRecord {
  conversationId: string;
  at: string;
  kind: 'actor' | 'event' | 'snapshot' | 'action';
  actorId: string;
  src: string | null;
  event: string | null;
  state: string | null;
  status: string | null;
  action: string | null;
  context: string | null;
}

let gatewayA: Gateway;
let gatewayB: GatewayProcess;
/** Listens to the raw Redis channels of the bus, as any other process on the same Redis would. */
let raw: Redis;
let commands: Redis;
const heard: { channel: string; payload: InspectRecord & { until?: number; watcher?: string; version?: number } }[] =
  [];
const clients: WsClient[] = [];

beforeAll(async () => {
  raw = connectRedis();
  commands = connectRedis();
  raw.on('message', (channel: string, message: string) => heard.push({ channel, payload: JSON.parse(message) }));
  await raw.subscribe(CONTROL);
  [gatewayA, gatewayB] = await Promise.all([
    startGateway({ ...env, ADMIN_TOKEN }, { port: 0, host: '127.0.0.1' }),
    spawnGateway({ ...env, LOG_LEVEL: 'info' }),
  ]);
  // Both gateways (and this test) listen to the inspection switches before anything is inspected.
  await until(async () => {
    const [, count] = (await commands.pubsub('NUMSUB', CONTROL)) as [string, number];
    return count >= 3;
  }, 'both gateways subscribed to the inspection switches');
}, 30_000);

afterAll(async () => {
  for (const ws of clients) await ws.client.dispose();
  gatewayB?.child.kill('SIGTERM');
  await Promise.all([gatewayA?.stop(), gatewayB?.exited]);
  await raw?.quit();
  await commands?.quit();
  await clearPrefix(prefix);
}, 30_000);

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function ws(url: string, token?: string): WsClient {
  const client = openWsClient(url, token);
  clients.push(client);
  return client;
}

/** The inspect subscription is live in every process once its switch went through Redis. */
async function watching(conversationId: string, from = 0) {
  await until(
    () =>
      heard
        .slice(from)
        .some((h) => h.channel === CONTROL && h.payload.conversationId === conversationId && h.payload.until! > 0),
    `the inspection switch of ${conversationId}`,
  );
}

/** The first record that matches, within a deadline (the failure lists what did arrive). */
async function expectRecord(
  records: Subscription<InspectRecord>,
  what: string,
  match: (r: InspectRecord) => boolean,
): Promise<InspectRecord> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const got = records.events.map((r) => `${r.kind} ${r.src ?? r.action ?? r.state ?? r.event ?? ''}`);
      reject(
        new Error(`no ${what} record; received: ${JSON.stringify(got)}, errors: ${JSON.stringify(records.errors)}`),
      );
    }, 10_000);
  });
  return Promise.race([records.next(match), deadline]).finally(() => clearTimeout(timer));
}

const parsed = (json: string | null) => (json === null ? null : (JSON.parse(json) as { [key: string]: unknown }));

describe('inspect(conversationId) subscription (admin only, across processes)', () => {
  it('streams to an admin on A the records of a turn that runs on B', async () => {
    const user = `insp-${randomUUID().slice(0, 8)}`;
    const conversationId = `web:${user}`;
    const admin = ws(gatewayA.url, ADMIN_TOKEN);
    const mark = heard.length;
    const records = subscribe<InspectRecord>(admin.client, INSPECT, { id: conversationId }, 'inspect');
    await watching(conversationId, mark);

    const answer = await webClient(gatewayB.url).send(user, 'consultar estado de OT-CORR-1');
    expect(answer.conversation_id).toBe(conversationId);
    expect(answer.status).toBe('processing');

    const received = await expectRecord(
      records,
      'user.message event',
      (r) => r.kind === 'event' && parsed(r.event)?.type === 'user.message',
    );
    expect(received.conversationId).toBe(conversationId);
    expect(parsed(received.event)).toMatchObject({ type: 'user.message', text: 'consultar estado de OT-CORR-1' });
    const waiting = await expectRecord(
      records,
      'workflow.waiting snapshot',
      (r) => r.kind === 'snapshot' && r.state === 'workflow.waiting',
    );
    expect(waiting.status).toBe('active');
    expect(parsed(waiting.context)).toMatchObject({ conversationId });
    expect(
      await expectRecord(records, 'reply action', (r) => r.kind === 'action' && r.action === 'reply'),
    ).toMatchObject({ conversationId });
    expect(
      await expectRecord(records, 'startWorkflow actor', (r) => r.kind === 'actor' && r.src === 'startWorkflow'),
    ).toMatchObject({
      conversationId,
    });
    expect(records.events.find((r) => r.kind === 'actor')).toMatchObject({ src: 'conversation' });
    expect(records.events.every((r) => !Number.isNaN(Date.parse(r.at)) && r.actorId)).toBe(true);

    // The workflow's answer is a later turn (its callback lands on B): it is streamed too.
    const result = await expectRecord(
      records,
      'workflow.result event',
      (r) => r.kind === 'event' && parsed(r.event)?.type === 'workflow.result',
    );
    expect(parsed(result.event)).toMatchObject({ type: 'workflow.result', dagId: 'consultar_estado_ot' });
    await expectRecord(records, 'idle snapshot', (r) => r.kind === 'snapshot' && r.state === 'idle');
    expect(records.errors).toEqual([]);
  });

  it('stops publishing inspection records once the admin unsubscribes', async () => {
    const user = `insp-${randomUUID().slice(0, 8)}`;
    const conversationId = `web:${user}`;
    const inspectChannel = busChannel(topics.inspect(conversationId));
    const stateChannel = busChannel(topics.state(conversationId));
    await raw.subscribe(inspectChannel, stateChannel);
    const client = webClient(gatewayB.url);
    const onChannel = (channel: string, from: number) => heard.slice(from).filter((h) => h.channel === channel);

    const admin = ws(gatewayA.url, ADMIN_TOKEN);
    let mark = heard.length;
    const records = subscribe<InspectRecord>(admin.client, INSPECT, { id: conversationId }, 'inspect');
    await watching(conversationId, mark);
    await client.send(user, 'hola');
    await expectRecord(records, 'idle snapshot', (r) => r.kind === 'snapshot' && r.state === 'idle');
    expect(onChannel(inspectChannel, mark).length).toBeGreaterThan(0); // the raw channel does see records

    mark = heard.length;
    records.dispose();
    await until(
      () => onChannel(CONTROL, mark).some((h) => h.payload.conversationId === conversationId && h.payload.until === 0),
      'the inspection switch turned off',
    );
    const seen = records.events.length;
    mark = heard.length;
    await client.send(user, 'reportar falla');
    // B publishes a turn's records before its state change, on the same connection: once the state of
    // this turn is heard, any record of it would have been heard before.
    await until(() => onChannel(stateChannel, mark).some((h) => h.payload.version === 2), 'the state of turn 2');
    expect(onChannel(inspectChannel, mark)).toEqual([]);
    expect(records.events.length).toBe(seen);
  });

  it('keeps streaming to one admin when another admin watching the same conversation leaves', async () => {
    const user = `insp-${randomUUID().slice(0, 8)}`;
    const conversationId = `web:${user}`;
    const client = webClient(gatewayB.url);
    let mark = heard.length;
    const first = subscribe<InspectRecord>(
      ws(gatewayA.url, ADMIN_TOKEN).client,
      INSPECT,
      { id: conversationId },
      'inspect',
    );
    await watching(conversationId, mark);
    mark = heard.length;
    const second = subscribe<InspectRecord>(
      ws(gatewayA.url, ADMIN_TOKEN).client,
      INSPECT,
      { id: conversationId },
      'inspect',
    );
    await watching(conversationId, mark);

    mark = heard.length;
    first.dispose();
    await until(
      () => heard.slice(mark).some((h) => h.channel === CONTROL && h.payload.until === 0),
      'the first admin’s switch turned off',
    );
    await client.send(user, 'hola');
    const greeting = await expectRecord(
      second,
      'user.message event',
      (r) => r.kind === 'event' && parsed(r.event)?.type === 'user.message',
    );
    expect(parsed(greeting.event)).toMatchObject({ text: 'hola' });
    await expectRecord(second, 'idle snapshot', (r) => r.kind === 'snapshot' && r.state === 'idle');
    second.dispose();
  });

  it('refuses a conversation token (FORBIDDEN) and a connection without a token (close 4403)', async () => {
    const { conversationId, token } = await startConversation(gatewayA.url);
    const asUser = subscribe<InspectRecord>(ws(gatewayA.url, token).client, INSPECT, { id: conversationId }, 'inspect');
    await asUser.ended;
    expect(asUser.errors).toMatchObject([{ extensions: { code: 'FORBIDDEN' } }]);
    expect(asUser.events).toEqual([]);

    const anonymous = ws(gatewayA.url);
    const refused = subscribe<InspectRecord>(anonymous.client, INSPECT, { id: conversationId }, 'inspect');
    expect(await anonymous.closed).toBe(4403);
    expect(refused.events).toEqual([]);
  });

  it('refuses everyone on a gateway without ADMIN_TOKEN', async () => {
    const { conversationId, token } = await startConversation(gatewayB.url);
    const asUser = subscribe<InspectRecord>(ws(gatewayB.url, token).client, INSPECT, { id: conversationId }, 'inspect');
    await asUser.ended;
    expect(asUser.errors).toMatchObject([
      { message: expect.stringMatching(/ADMIN_TOKEN is not set/), extensions: { code: 'FORBIDDEN' } },
    ]);

    // A's admin token means nothing to B: it is not a valid token there.
    const withAdminToken = ws(gatewayB.url, ADMIN_TOKEN);
    subscribe<InspectRecord>(withAdminToken.client, INSPECT, { id: conversationId }, 'inspect');
    expect(await withAdminToken.closed).toBe(4403);
  });
});
