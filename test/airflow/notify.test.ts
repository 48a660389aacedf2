/**
 * The scheduled DAG notificar_cambios_ot with a real Airflow and a real gateway (Redis, its embedded
 * demo CMMS, AIRFLOW_URL set): a web chat linked to tecnico2 hears once about each change of an order
 * that a supervisor makes in the CMMS. The first run is the baseline (nothing sent); a run after an
 * assignment POSTs exactly that change, signed, and the chat gets one notification; a run with nothing
 * new POSTs nothing; a run whose POST is answered 503 fails its try and Airflow's retry delivers it
 * once; a retry after a lost answer sends the same change id and the gateway tells nobody twice.
 * Each run is triggered over the REST API (the tier sets NOTIFY_INTERVAL_MINUTES=1440 so the schedule
 * stays out of the way).
 */
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../app/gateway.ts';
import { DEMO_CMMS_TOKEN } from '../../core/cmms/demo-server.ts';
import { CALLBACK_SIGNATURE_HEADER, verifySignature } from '../../core/workflows/callback.ts';
import { webUser } from '../channels/web-user.ts';
import { changeOrderAsSupervisor, stateId } from '../roles/cmms.ts';
import { clearPrefix } from '../support/redis.ts';
import { type NotifyFront, type NotifyPost, startNotifyFront } from './notify-front.ts';
import { type AirflowAdmin, airflowAdmin, airflowEnv, uniqueRunId } from './support/airflow-admin.ts';
import { airflowPrefix, startAirflowGateway } from './support/gateway.ts';
import { runTraces } from './support/run-traces.ts';

const DAG = 'notificar_cambios_ot';
const SEEN = 'omnibot_notify_seen';
const WEB_API_KEY = `web-key-${randomBytes(8).toString('hex')}`;
const ADMIN_TOKEN = randomBytes(24).toString('hex');
const SECRET = randomBytes(24).toString('hex');
const MARIA = { id: 11, username: 'tecnico2', fullName: 'María González' };
/** OT-PREV-4: Abierta, no technician, requested by supervisor1 (demo data). */
const ORDER = { id: 59, number: 'OT-PREV-4' };
/** What a failure reported through the bot leaves in an order's observations: never told as such. */
const REPORT_NOTE =
  'Reportado por Diego Fuentes vía el chat web. Reportada por el asistente omnibot (ref. 8d3ae89e4300be7c)';
const RUN_WAIT_MS = 120_000;

const env = airflowEnv();
const prefix = airflowPrefix('notify');
let admin: AirflowAdmin;
let gateway: Gateway;
let front: NotifyFront;
const timings: string[] = [];

/** Starts a run of the DAG now (as the scheduler would, without a conf) and waits for its end. */
async function runDag(label: string): Promise<{ runId: string; state: string }> {
  const started = performance.now();
  const runId = uniqueRunId(label);
  const token = await airflowToken();
  const res = await request(`${env.url}/api/v2/dags/${DAG}/dagRuns`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ dag_run_id: runId, logical_date: null }),
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`triggering ${DAG} answered ${res.statusCode}: ${text}`);
  const state = await admin.waitForRunEnd(DAG, runId, RUN_WAIT_MS);
  timings.push(`${label.padEnd(12)} ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { runId, state };
}

async function airflowToken(): Promise<string> {
  const res = await request(`${env.url}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: env.username, password: env.password }),
  });
  return ((await res.body.json()) as { access_token: string }).access_token;
}

/** Waits until no run of the DAG is queued or running (the one it got when it was unpaused). */
async function waitUntilIdle(): Promise<void> {
  const deadline = Date.now() + RUN_WAIT_MS;
  for (;;) {
    const res = await admin.get(`/api/v2/dags/${DAG}/dagRuns?state=queued&state=running&limit=10`);
    if ((res.body as { total_entries: number }).total_entries === 0) return;
    if (Date.now() > deadline) throw new Error(`${DAG} still has a run going`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

interface SeenState {
  baseline_at: string;
  orders: Record<string, { state: string; seq: number }>;
  pending: unknown[];
}

async function seenState(): Promise<SeenState> {
  const res = await admin.get(`/api/v2/variables/${SEEN}`);
  expect(res.status).toBe(200);
  return JSON.parse((res.body as { value: string }).value);
}

/** Where the baseline's sequences start (its time in ms): the order's n-th change is `<id>:<epoch + n>`. */
let epoch = 0;
const changeId = (n: number) => `${ORDER.id}:${epoch + n}`;

/** The order changed in the demo CMMS by supervisor1, with their own token (the CMMS of the gateway). */
const supervisorChanges = (change: Record<string, unknown>) =>
  changeOrderAsSupervisor(`${gateway.url}/demo-cmms/api`, ORDER.id, change);

/** The chat's outbound transcript (admin GraphQL). */
async function chatTexts(conversationId: string): Promise<string[]> {
  const res = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify({
      query: 'query($id: ID!) { conversation(id: $id) { messages(last: 200) { direction text } } }',
      variables: { id: conversationId },
    }),
  });
  const body = (await res.json()) as {
    data: { conversation: { messages: { direction: string; text: string }[] } | null };
  };
  return (body.data.conversation?.messages ?? []).filter((m) => m.direction === 'OUT').map((m) => m.text);
}

/** Waits for `count` outbound messages that match, then checks no other one does. */
async function told(conversationId: string, pattern: RegExp, count = 1): Promise<string[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const hits = (await chatTexts(conversationId)).filter((text) => pattern.test(text));
    if (hits.length >= count || Date.now() > deadline) {
      expect(hits).toHaveLength(count);
      return hits;
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

/** A POST the DAG made: signed with the callback secret over its raw bytes, from this DAG, dated. */
function signedChanges(post: NotifyPost): Record<string, unknown>[] {
  expect(post.headers['content-type']).toMatch(/^application\/json/);
  const signature = post.headers[CALLBACK_SIGNATURE_HEADER.toLowerCase()] as string;
  expect(verifySignature(SECRET, post.rawBody, signature)).toBe(true);
  expect(post.json.source).toBe(DAG);
  expect(Math.abs(Date.parse(post.json.sent_at ?? '') - Date.now())).toBeLessThan(10 * 60_000);
  return post.json.changes ?? [];
}

const told1 = { accepted: 1, notified: 1, duplicates: 0, rejected: [] };

beforeAll(async () => {
  admin = airflowAdmin(env);
  gateway = await startAirflowGateway(
    { env, prefix, callbackSecret: SECRET },
    {
      LOG_LEVEL: 'silent',
      // No CMMS_URL: the gateway serves the demo CMMS itself; the DAG reads it on its port too.
      WEB_API_KEY,
      IDENTITY_KEY: randomBytes(32).toString('base64'),
      ADMIN_TOKEN,
    },
  );
  front = await startNotifyFront(gateway.url);
  await waitUntilIdle();
  await admin.setVariables({
    cmms_url: `${gateway.url}/demo-cmms`,
    cmms_token: DEMO_CMMS_TOKEN,
    cmms_api_prefix: '/api/',
    cmms_username: '',
    cmms_password: '',
    omnibot_callback_secret: SECRET,
    omnibot_notify_url: front.url,
    [SEEN]: '', // no seen state: the next run is the baseline
  });
});

afterAll(async () => {
  console.log([`${DAG} runs (trigger → end):`, ...timings].join('\n'));
  await admin?.setVariables({ omnibot_notify_url: '', [SEEN]: '' }).catch(() => undefined);
  await front?.close();
  await gateway?.stop();
  await clearPrefix(prefix);
});

describe('notificar_cambios_ot through real Airflow and the gateway', () => {
  const user = () =>
    webUser({
      gatewayUrl: gateway.url,
      userId: `airflow-maria-${randomBytes(4).toString('hex')}`,
      apiKey: WEB_API_KEY,
    });
  let maria: ReturnType<typeof user>;

  it('is scheduled every NOTIFY_INTERVAL_MINUTES, one run at a time', async () => {
    const res = await admin.get(`/api/v2/dags/${DAG}/details`);
    expect(res.status).toBe(200);
    const details = res.body as {
      is_paused: boolean;
      max_active_runs: number;
      catchup: boolean;
      timetable_summary: string;
    };
    expect(details).toMatchObject({ is_paused: false, max_active_runs: 1, catchup: false });
    // scripts/airflow/test.sh parses the DAG with NOTIFY_INTERVAL_MINUTES=1440.
    expect(details.timetable_summary).toMatch(/1 day/);
  });

  it('takes a baseline on its first run and sends nothing', async () => {
    maria = user();
    await maria.say('hola');
    const linked = await fetch(`${gateway.url}/admin/identities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({
        conversation_id: maria.conversationId,
        username: MARIA.username,
        password: MARIA.username,
      }),
    });
    expect(linked.status).toBe(201);
    await maria.next(new RegExp(`^Listo, ${MARIA.fullName}`));

    expect(await runDag('baseline')).toMatchObject({ state: 'success' });
    expect(front.posts).toHaveLength(0);
    const seen = await seenState();
    // Every order's sequence starts at the baseline's time (ms): a new baseline never reuses a change id.
    epoch = Date.parse(seen.baseline_at);
    expect(epoch).toBeGreaterThan(Date.parse('2026-01-01T00:00:00Z'));
    expect(seen.orders[String(ORDER.id)]).toMatchObject({ state: 'Abierta', technician_id: null, seq: epoch });
    expect(seen.pending).toEqual([]);
    expect(Object.keys(seen.orders).length).toBeGreaterThan(60); // both pages of the demo's orders
  });

  it('tells the newly assigned technician once, signed like the workflow callback', async () => {
    await supervisorChanges({ idtecnicoasignado: MARIA.id });
    const run = await runDag('assigned');
    expect(run.state).toBe('success');
    expect(front.posts).toHaveLength(1);
    const [change, ...others] = signedChanges(front.posts[0]!);
    expect(others).toEqual([]);
    expect(change).toMatchObject({
      change_id: changeId(1),
      order_id: ORDER.id,
      number: ORDER.number,
      state: 'Abierta',
      previous_state: 'Abierta',
      technician_id: MARIA.id,
      technician_name: MARIA.fullName,
      previous_technician_id: null,
      requester_id: 2,
      // What the assignment notice quotes, read from the order (v1 lists no equipment code).
      priority: 'Baja',
      equipment_code: null,
      description: null,
    });
    expect(front.posts[0]!.gateway).toEqual({ status: 200, body: told1 });
    await told(
      maria.conversationId,
      new RegExp(
        `^Se te asignó la orden ${ORDER.number} del equipo .+ \\(estado Abierta\\)\\. Prioridad Baja\\.(\\n|$)`,
      ),
    );

    // Only counts in XCom; no token in XCom or the task's log.
    const traces = await runTraces(admin, {
      dag_id: DAG,
      dag_run_id: run.runId,
      state: run.state,
      conf: null,
      queued_at: null,
      start_date: null,
      end_date: null,
    });
    expect(JSON.parse(traces.xcoms['notify/return_value']!)).toMatchObject({
      changes: 1,
      accepted: 1,
      baseline: false,
    });
    expect(traces.logs['notify/1']).toMatch(/work-order changes/);
    for (const text of [...Object.values(traces.xcoms), ...Object.values(traces.logs)]) {
      expect(text).not.toContain(DEMO_CMMS_TOKEN);
      expect(text).not.toContain(SECRET);
    }
  });

  it('sends nothing when nothing changed', async () => {
    expect(await runDag('unchanged')).toMatchObject({ state: 'success' });
    expect(front.posts).toHaveLength(1);
    await told(maria.conversationId, /^Se te asignó la orden/);
    expect((await seenState()).orders[String(ORDER.id)]).toMatchObject({ technician_id: MARIA.id, seq: epoch + 1 });
  });

  it('fails the try that got a 503 and delivers once on the retry', async () => {
    // The order carries the bot's report note (as a failure reported through the bot does).
    await supervisorChanges({ idestadoot: stateId('En Progreso'), observacionesfinales: REPORT_NOTE });
    front.failOnce('unavailable');
    const run = await runDag('unavailable');
    expect(run.state).toBe('success');
    expect((await admin.taskInstance(DAG, run.runId, 'notify')).try_number).toBe(2);
    const [failed, retried] = front.posts.slice(1);
    expect(front.posts).toHaveLength(3);
    expect(failed!.status).toBe(503);
    expect(failed!.gateway).toBeUndefined();
    expect(signedChanges(retried!)).toEqual(signedChanges(failed!)); // the same change, the same id
    // Each try signs a body of its own, dated when it is sent.
    expect(Date.parse(retried!.json.sent_at ?? '')).toBeGreaterThan(Date.parse(failed!.json.sent_at ?? ''));
    expect(signedChanges(retried!)[0]).toMatchObject({
      change_id: changeId(2),
      state: 'En Progreso',
      previous_state: 'Abierta',
    });
    expect(retried!.gateway?.body).toEqual(told1);
    await told(maria.conversationId, new RegExp(`^La orden ${ORDER.number} del equipo .+ pasó a En Progreso\\.`));
  });

  it('sends the same change id again after a lost answer, and the chat hears it once', async () => {
    await supervisorChanges({ idestadoot: stateId('Completada') });
    front.failOnce('lost');
    const run = await runDag('lost-answer');
    expect(run.state).toBe('success');
    const [lost, retried] = front.posts.slice(3);
    expect(front.posts).toHaveLength(5);
    expect(lost!.gateway?.body).toEqual(told1);
    expect(signedChanges(retried!)).toEqual(signedChanges(lost!));
    // Completed without closing observations: the report note is no observation.
    expect(signedChanges(retried!)[0]).toMatchObject({
      change_id: changeId(3),
      state: 'Completada',
      observations: null,
    });
    expect(retried!.gateway?.body).toEqual({ accepted: 1, notified: 0, duplicates: 1, rejected: [] });
    const [completed] = await told(
      maria.conversationId,
      new RegExp(`^La orden ${ORDER.number} del equipo .+ pasó a Completada\\.`),
    );
    expect(completed).not.toMatch(/Observaciones|Reportad/);
    expect(await seenState()).toMatchObject({
      orders: { [String(ORDER.id)]: { state: 'Completada', seq: epoch + 3 } },
      pending: [],
    });
  });
});
