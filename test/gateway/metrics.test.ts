import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../app/gateway.ts';
import { casConflicts } from '../../core/metrics/registry.ts';
import { createMemoryStore } from '../../core/store/memory-store.ts';
import { telegramUser } from '../channels/drivers.ts';
import { telegramFake } from '../channels/fakes/telegram.ts';
import { openWsClient } from '../graphql/support/clients.ts';
import { type PlatformServer, startPlatformServer } from '../support/platform-server.ts';
import { makeRuntime, message } from '../support/runtime-harness.ts';
import { webClient } from '../support/web-client.ts';

/**
 * `GET /metrics` (Prometheus) on the real gateway: embedded workflows and demo CMMS, memory store,
 * Telegram aimed at a loopback fake of the Bot API (deliveries and dead letters).
 */
const METRICS_TOKEN = `metrics-${randomUUID()}`;
const ADMIN_TOKEN = `admin-${randomUUID()}`;
const TELEGRAM = { token: '7012345678:AAmetrics-test-token', secret: 'metrics_tg-webhook-secret' };

let gateway: Gateway;
let closed: Gateway;
let platform: PlatformServer;

beforeAll(async () => {
  platform = await startPlatformServer([telegramFake({ token: TELEGRAM.token })]);
  [gateway, closed] = await Promise.all([
    startGateway(
      {
        LOG_LEVEL: 'silent',
        IDENTITY_REQUIRED: 'none',
        ADMIN_TOKEN,
        METRICS_TOKEN,
        TELEGRAM_BOT_TOKEN: TELEGRAM.token,
        TELEGRAM_WEBHOOK_SECRET: TELEGRAM.secret,
        TELEGRAM_API_URL: platform.apiUrl('telegram'),
      },
      { port: 0, host: '127.0.0.1' },
    ),
    startGateway({ LOG_LEVEL: 'silent', IDENTITY_REQUIRED: 'none' }, { port: 0, host: '127.0.0.1' }),
  ]);
});
afterAll(async () => {
  await Promise.all([gateway?.stop(), closed?.stop()]);
  await platform?.close();
});

const scrape = (base: string, token: string | null) =>
  fetch(`${base}/metrics`, token === null ? {} : { headers: { authorization: `Bearer ${token}` } });

/** The sum of a metric's samples whose labels include `labels` (0 when there is none yet). */
async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const response = await scrape(gateway.url, METRICS_TOKEN);
  expect(response.status).toBe(200);
  let sum = 0;
  for (const line of (await response.text()).split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) sum += Number(match[3]);
  }
  return sum;
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const chatId = () => 710_000 + Math.floor(Math.random() * 100_000);
const telegram = (id = chatId()) =>
  telegramUser({ gatewayUrl: gateway.url, platform, secret: TELEGRAM.secret, chatId: id, name: 'Marta' });

describe('GET /metrics', () => {
  it('answers 401 without the metrics or admin token, and 404 on a gateway with neither token set', async () => {
    for (const token of [null, '', 'wrong-token', `${METRICS_TOKEN}x`]) {
      const response = await scrape(gateway.url, token);
      expect(response.status, String(token)).toBe(401);
      expect(await response.text()).not.toContain('omnibot_');
    }
    // A conversation's own token opens nothing here either.
    const { conversation_token: conversationToken } = await webClient(gateway.url).send(`m-${randomUUID()}`, 'hola');
    expect((await scrape(gateway.url, conversationToken)).status).toBe(401);

    for (const token of [METRICS_TOKEN, ADMIN_TOKEN]) {
      const response = await scrape(gateway.url, token);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await response.text();
      expect(text).toContain('# TYPE omnibot_turn_duration_seconds histogram');
      expect(text).toContain('process_resident_memory_bytes');
    }
    expect((await scrape(closed.url, null)).status).toBe(404);
    expect((await scrape(closed.url, 'anything')).status).toBe(404);
  });

  it('counts turns, workflow runs and deliveries with their channel, intent, state, DAG and outcome', async () => {
    const greeting = { channel: 'telegram', event: 'user.message', intent: 'greeting', state: 'idle' };
    const asked = {
      channel: 'telegram',
      event: 'user.message',
      intent: 'work_order_status',
      state: 'workflow.waiting',
    };
    const answered = { channel: 'telegram', event: 'workflow.result', state: 'idle' };
    const workflow = { dag: 'consultar_estado_ot', outcome: 'success' };
    const delivered = { channel: 'telegram', outcome: 'delivered' };
    const before = {
      greeting: await metric('omnibot_turn_duration_seconds_count', greeting),
      asked: await metric('omnibot_turn_duration_seconds_count', asked),
      answered: await metric('omnibot_turn_duration_seconds_count', answered),
      started: await metric('omnibot_workflows_started_total', { dag: workflow.dag }),
      finished: await metric('omnibot_workflow_duration_seconds_count', workflow),
      delivered: await metric('omnibot_deliveries_total', delivered),
    };

    const user = telegram();
    await user.say('hola');
    await user.next(/^¡Hola!/);
    await user.say('consultar estado de OT-CORR-1');
    await user.next(/^Procesando: estoy consultando el estado de la orden OT-CORR-1/);
    await user.next(/En Progreso/);

    expect(await metric('omnibot_turn_duration_seconds_count', greeting)).toBe(before.greeting + 1);
    expect(await metric('omnibot_turn_duration_seconds_count', asked)).toBe(before.asked + 1);
    expect(await metric('omnibot_turn_duration_seconds_count', answered)).toBe(before.answered + 1);
    expect(await metric('omnibot_workflows_started_total', { dag: workflow.dag })).toBe(before.started + 1);
    expect(await metric('omnibot_workflow_duration_seconds_count', workflow)).toBe(before.finished + 1);
    // Three answers were sent to the platform: the greeting, "Procesando…" and the order's state.
    await until(
      async () => (await metric('omnibot_deliveries_total', delivered)) >= before.delivered + 3,
      'three deliveries',
    );
    expect(await metric('omnibot_deliveries_total', delivered)).toBe(before.delivered + 3);
  });

  it('counts re-deliveries answered once, and dead letters by channel', async () => {
    const client = webClient(gateway.url);
    const dedup = { kind: 'message', answer: 'stored' };
    const hits = await metric('omnibot_dedup_hits_total', dedup);
    const user = `m-${randomUUID()}`;
    await client.send(user, 'hola', { message_id: 'm-1' });
    expect((await client.send(user, 'hola', { message_id: 'm-1' })).duplicate).toBe(true);
    expect(await metric('omnibot_dedup_hits_total', dedup)).toBe(hits + 1);

    const letters = await metric('omnibot_dead_letters_total', { channel: 'telegram' });
    platform.failNext('telegram', 400); // e.g. "chat not found": kept as a dead letter at once
    await telegram().say('hola');
    await until(
      async () => (await metric('omnibot_dead_letters_total', { channel: 'telegram' })) === letters + 1,
      'a dead letter counted',
    );
    expect(await metric('omnibot_deliveries_total', { channel: 'telegram', outcome: 'failed' })).toBeGreaterThan(0);
  });

  it('shows the open GraphQL subscriptions, and stops counting the ones closed', async () => {
    const { conversation_id: id, conversation_token: token } = await webClient(gateway.url).send(
      `m-${randomUUID()}`,
      'hola',
    );
    const topic = { topic: 'conversation.messages' };
    const open = await metric('omnibot_graphql_subscriptions', topic);
    const ws = openWsClient(gateway.url, token);
    const stop = ws.client.subscribe(
      { query: 'subscription ($id: ID!) { messages(conversationId: $id) { text } }', variables: { id } },
      { next: () => {}, error: () => {}, complete: () => {} },
    );
    await until(async () => (await metric('omnibot_graphql_subscriptions', topic)) === open + 1, 'one subscription');
    stop();
    await until(async () => (await metric('omnibot_graphql_subscriptions', topic)) === open, 'subscription closed');
    await ws.client.dispose();
  });
});

describe('metrics of the runtime', () => {
  it('counts a commit refused because another writer changed the conversation first (CAS conflict)', async () => {
    const store = createMemoryStore();
    let conflicts = 1;
    // The first commit finds the version changed (as when another process committed in between).
    const racing = {
      ...store,
      commit: (...args: Parameters<typeof store.commit>) =>
        conflicts-- > 0 ? Promise.resolve(null) : store.commit(...args),
    };
    const { runtime } = makeRuntime(racing);
    const before = (await casConflicts.get()).values.reduce((sum, sample) => sum + sample.value, 0);
    const turn = await runtime.receive(message(`m-${randomUUID()}`, 'hola'));
    expect(turn.replies[0]?.text).toMatch(/^¡Hola!/);
    const after = (await casConflicts.get()).values.reduce((sum, sample) => sum + sample.value, 0);
    expect(after).toBe(before + 1);
  });
});
