/**
 * A linked user's whole path with a real Airflow (issue 11): with IDENTITY_REQUIRED=report a web
 * user who reports a failure is asked to link their CMMS account, links it on the link page as
 * tecnico1 and the report goes on; the reportar_falla, iniciar_ot and completar_ot DAG runs act as
 * that user (their token fetched from the gateway's credential endpoint) against the gateway's
 * embedded demo CMMS. The user's token is nowhere else: dag conf, XCom, task logs, Airflow's audit
 * log, transcript, event log, Redis, the gateway's logs.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../app/gateway.ts';
import type { DemoWorkOrder } from '../../core/cmms/demo-data.ts';
import { DEMO_CMMS_TOKEN } from '../../core/cmms/demo-server.ts';
import { createLogger } from '../../core/log.ts';
import { webUser } from '../channels/web-user.ts';
import { clearPrefix, REDIS_URL } from '../support/redis.ts';
import { type AirflowAdmin, airflowAdmin, airflowEnv } from './support/airflow-admin.ts';
import { airflowPrefix, startAirflowGateway } from './support/gateway.ts';
import { redisValues } from './support/redis-values.ts';
import { type DagRun, printTimings, readRun, runsFor, runTraces } from './support/run-traces.ts';

/** A backend that authenticates its users: only then may a REST web chat link a CMMS account. */
const WEB_API_KEY = `web-key-${randomBytes(8).toString('hex')}`;

const env = airflowEnv();
const prefix = airflowPrefix('identity');
const ADMIN_TOKEN = randomBytes(24).toString('hex');
const SECRET = randomBytes(24).toString('hex');
const JUAN = { id: 10, username: 'tecnico1', fullName: 'Juan Pérez', role: 'Técnico' };
const DESCRIPTION = 'Fuga de aceite hidráulico en el brazo principal';
const OBSERVATIONS = 'Se cambió el sello del cilindro y se probó sin fugas';
const RUN_WAIT_MS = 120_000;

let admin: AirflowAdmin;
let gateway: Gateway;
const logLines: string[] = [];
const asAdmin = { authorization: `Token ${DEMO_CMMS_TOKEN}` };
const cmmsApi = () => `${gateway.url}/demo-cmms/api`;

/** The order as the demo CMMS has it now (read as its administrator, page by page). */
async function cmmsOrder(numeroot: string): Promise<DemoWorkOrder> {
  let found: DemoWorkOrder | undefined;
  for (let url: string | null = `${cmmsApi()}/ordenes-trabajo/`; url && !found; ) {
    const list = await fetch(url, { headers: asAdmin });
    expect(list.status).toBe(200);
    const page = (await list.json()) as { next: string | null; results: DemoWorkOrder[] };
    found = page.results.find((o) => o.numeroot === numeroot);
    url = page.next ? `${cmmsApi()}/ordenes-trabajo/${new URL(page.next).search}` : null;
  }
  if (!found) throw new Error(`the CMMS has no order ${numeroot}`);
  const detail = await fetch(`${cmmsApi()}/ordenes-trabajo/${found.idordentrabajo}/`, { headers: asAdmin });
  expect(detail.status).toBe(200);
  return (await detail.json()) as DemoWorkOrder;
}

/** The one run of `dagId` for the conversation, ended; its conf acts as Juan and holds no token. */
async function actingRun(dagId: string, conversationId: string): Promise<DagRun> {
  const runs = await runsFor(admin, dagId, conversationId);
  expect(runs).toHaveLength(1);
  expect(await admin.waitForRunEnd(dagId, runs[0]!.dag_run_id)).toBe('success');
  const run = await readRun(admin, runs[0]!);
  expect(run.conf).toMatchObject({
    conversation_id: conversationId,
    run_id: run.dag_run_id,
    callback_url: `${gateway.url}/api/bot/webhook`,
    credentials_url: `${gateway.url}/api/bot/credentials`,
    acting_as: { cmms_user_id: JUAN.id, username: JUAN.username },
  });
  expect(keysOf(run.conf).filter((key) => /token|password|secret/i.test(key))).toEqual([]);
  return run;
}

const keysOf = (value: unknown): string[] =>
  value && typeof value === 'object' ? Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)]) : [];

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await work();
  return [value, Math.round(performance.now() - started)];
}

beforeAll(async () => {
  admin = airflowAdmin(env);
  gateway = await startAirflowGateway(
    { env, prefix, callbackSecret: SECRET },
    {
      // No CMMS_URL: the gateway serves the demo CMMS itself; the DAGs reach it on its port too.
      IDENTITY_REQUIRED: 'report',
      // A backend that authenticates its users: only then may a REST web chat link a CMMS account.
      WEB_API_KEY,
      IDENTITY_KEY: randomBytes(32).toString('base64'),
      ADMIN_TOKEN,
      // The callback is what must bring the answer: the status poll is only a slow fallback here.
      WORKFLOW_TIMEOUT_MS: '150000',
      WORKFLOW_POLL_INTERVAL_MS: '60000',
    },
    // Every log line, debug included, kept to look for the token in.
    { logger: createLogger('debug', { service: 'omnibot' }, (l) => logLines.push(l)) },
  );
  await admin.setVariables({
    cmms_url: `${gateway.url}/demo-cmms`,
    cmms_token: DEMO_CMMS_TOKEN,
    cmms_api_prefix: '/api/',
    omnibot_callback_secret: SECRET,
  });
});

afterAll(async () => {
  await gateway?.stop();
  await clearPrefix(prefix);
});

describe('a linked technician through real Airflow', () => {
  it('links, reports, starts and completes an order as himself; the token is nowhere', async () => {
    const user = webUser({
      gatewayUrl: gateway.url,
      userId: `airflow-juan-${randomBytes(4).toString('hex')}`,
      name: 'Juan',
      apiKey: WEB_API_KEY,
    });
    const timings: { step: string; chatMs: number; run?: DagRun }[] = [];

    // 1. The report needs an identity: the link, the page, the form, and the report goes on.
    await user.say('reportar falla');
    const ask = await user.next(/Para vincular tu cuenta del CMMS abre este enlace/);
    expect(ask.text).toMatch(/^Para reportar una falla necesito saber quién eres/);
    const link = /https?:\/\/\S+\/link\/[A-Za-z0-9_-]+/.exec(ask.text)?.[0];
    expect(link?.startsWith(`${gateway.url}/link/`), ask.text).toBe(true);
    const [linked, linkMs] = await timed(async () => {
      const form = await fetch(link!);
      expect(form.status).toBe(200);
      expect(await form.text()).toMatch(/name="password" type="password"/);
      const posted = await fetch(link!, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: JUAN.username, password: JUAN.username }).toString(),
      });
      expect(posted.status).toBe(200);
      expect(await posted.text()).toContain(`Listo, ${JUAN.fullName} (${JUAN.role}): tu cuenta quedó vinculada.`);
      const told = await user.next(/^Listo, Juan Pérez \(Técnico\)/);
      await user.next(/¿En qué equipo\?/);
      return told;
    });
    expect(linked.text).toMatch(/tu cuenta quedó vinculada\. Sigo con tu solicitud\.$/);
    timings.push({ step: 'link (form + chat confirmation)', chatMs: linkMs });

    // The token the link holds is the one the CMMS gave tecnico1 (the demo answers one token per user).
    const login = await fetch(`${cmmsApi()}/login/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: JUAN.username, password: JUAN.username }),
    });
    const token = ((await login.json()) as { token: string }).token;
    expect(token.length).toBeGreaterThan(15);
    expect(await gateway.identity.tokenFor(user.conversationId)).toBe(token);

    await user.say('CAT-001');
    await user.next(/Describe la falla/);
    await user.say(DESCRIPTION);
    await user.press(await user.next(/¿Qué prioridad tiene\?/), 'priority:alta');
    const confirmReport = await user.next(/¿Confirmas\?/);
    const [reported, reportMs] = await timed(async () => {
      await user.press(confirmReport, 'confirm:yes');
      return user.next(/^Falla reportada\. Se creó la orden de trabajo OT-/, RUN_WAIT_MS);
    });
    const numeroot = /OT-CORR-[\w-]+/.exec(reported.text)![0];
    const reportRun = await actingRun('reportar_falla', user.conversationId);
    expect(reportRun.conf).toMatchObject({
      params: { reportado_por: 'Reportado por Juan Pérez vía el chat web', prioridad: 'Alta' },
    });
    timings.push({ step: 'reportar_falla run', chatMs: reportMs, run: reportRun });
    // The CMMS took requester and technician from Juan's token; the report names who and where.
    const created = await cmmsOrder(numeroot);
    expect(created).toMatchObject({
      idsolicitante: JUAN.id,
      solicitante_nombre: JUAN.fullName,
      idtecnicoasignado: JUAN.id,
      estado_nombre: 'Abierta',
      prioridad: 'Alta',
      descripcionproblemareportado: DESCRIPTION,
    });
    expect(created.observacionesfinales).toContain('Reportado por Juan Pérez vía el chat web');

    // 2. The order is already Juan's (the CMMS assigns the reporter): he starts it, then completes it.
    const [, startMs] = await timed(async () => {
      await user.say(`iniciar ${numeroot}`);
      return user.next(new RegExp(`^Listo, la orden ${numeroot} quedó En Progreso\\.`), RUN_WAIT_MS);
    });
    const startRun = await actingRun('iniciar_ot', user.conversationId);
    timings.push({ step: 'iniciar_ot run', chatMs: startMs, run: startRun });
    expect(await cmmsOrder(numeroot)).toMatchObject({ estado_nombre: 'En Progreso' });

    await user.say(`completar ${numeroot}`);
    expect((await user.next(/Escribe las observaciones finales/)).text).toContain(
      `Vas a completar la orden ${numeroot}`,
    );
    await user.say(OBSERVATIONS);
    await user.next(/¿Cuánto tiempo te tomó el trabajo, en minutos\?/);
    await user.say('45');
    const confirmDone = await user.next(/¿Confirmas\?/);
    expect(confirmDone.text).toContain(OBSERVATIONS);
    const [completed, completeMs] = await timed(async () => {
      await user.say('sí');
      return user.next(new RegExp(`^Listo, completé la orden ${numeroot} \\(45 min\\)\\.`), RUN_WAIT_MS);
    });
    expect(completed.text).toContain(numeroot);
    const completeRun = await actingRun('completar_ot', user.conversationId);
    timings.push({ step: 'completar_ot run', chatMs: completeMs, run: completeRun });
    expect(await cmmsOrder(numeroot)).toMatchObject({
      estado_nombre: 'Completada',
      tiempototalminutos: 45,
      observacionesfinales: OBSERVATIONS,
    });

    // 3. The token is nowhere: conf, XCom, task logs and Airflow's audit log of the three runs.
    for (const run of [reportRun, startRun, completeRun]) {
      expect(JSON.stringify(run.conf)).not.toContain(token);
      const traces = await runTraces(admin, run);
      // Really read: the result's XCom and the log of the task that fetched the token.
      expect(traces.xcoms['result/return_value']).toMatch(numeroot);
      expect(traces.logs['result/1']).toMatch(/acting as CMMS user 10/);
      expect(traces.audit).toContain('trigger_dag_run');
      for (const [where, text] of Object.entries({ ...traces.xcoms, ...traces.logs, audit: traces.audit })) {
        expect(text.includes(token), `${run.dag_id} ${where}`).toBe(false);
      }
    }
    // The transcript and the event log (admin API), the gateway's Redis and its logs.
    const graphql = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({
        query: 'query($id: ID!) { conversation(id: $id) { messages(last: 200) { direction text action } } }',
        variables: { id: user.conversationId },
      }),
    });
    const transcript = await graphql.text();
    expect(graphql.status).toBe(200);
    expect(transcript).toContain('Listo, completé la orden');
    const events = await fetch(`${gateway.url}/admin/conversations/${encodeURIComponent(user.conversationId)}/events`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const eventLog = await events.text();
    expect(events.status).toBe(200);
    expect(eventLog).toContain('identity.linked');
    expect(transcript).not.toContain(token);
    expect(eventLog).not.toContain(token);
    const stored = await redisValues(REDIS_URL, prefix);
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.filter((value) => value.includes(token))).toEqual([]);
    const handed = logLines.filter((line) => line.includes('credentials handed to a workflow run'));
    expect(handed).toHaveLength(3);
    expect(logLines.filter((line) => line.includes(token))).toEqual([]);

    printTimings(timings);
  });
});
