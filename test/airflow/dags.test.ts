/**
 * The DAGs through real Airflow runs against the demo CMMS: the signed callback each run POSTs
 * (signature, body fields, result shape) and the run's final state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CMMS_TOKEN, DEMO_CMMS_USER } from '../../core/cmms/demo-server.ts';
import { isPendingState, priorityRank } from '../../core/cmms/pending.ts';
import { createAirflowRunner } from '../../core/workflows/airflow-runner.ts';
import { CALLBACK_SIGNATURE_HEADER, verifySignature } from '../../core/workflows/callback.ts';
import type { WorkflowConf, WorkflowRunner } from '../../core/workflows/types.ts';
import { cmmsErrorCode, invalidParameters, workflowConstants } from '../../workflows/catalog.ts';
import { type AirflowAdmin, airflowAdmin, airflowEnv, uniqueRunId } from './support/airflow-admin.ts';
import {
  type CallbackReceiver,
  CREDENTIALS_PATH,
  type ReceivedCallback,
  startCallbackReceiver,
} from './support/callback-receiver.ts';
import { startTestCmms, type TestCmms } from './support/cmms.ts';

const WORK_ORDER_KEYS = [
  'descripcionproblemareportado',
  'equipo_nombre',
  'estado_nombre',
  'fechacreacionot',
  'idordentrabajo',
  'idsolicitante',
  'idtecnicoasignado',
  'numeroot',
  'prioridad',
  'solicitante_nombre',
  'tecnico_nombre',
  'tipo_mantenimiento_nombre',
];
const EQUIPMENT_KEYS = [
  'codigointerno',
  'estado_nombre',
  'faena_nombre',
  'idequipo',
  'marca',
  'modelo',
  'nombreequipo',
];
const PENDING_LIMIT = workflowConstants('listar_ot_pendientes').limit;

const env = airflowEnv();
let admin: AirflowAdmin;
let cmms: TestCmms;
let receiver: CallbackReceiver;
let runner: WorkflowRunner;

/**
 * Starts a run now (`extra`: more of its conf, e.g. `acting_as`), the pending run of its conversation
 * `test:<label>` for the fake credential endpoint; the returned promise is its verified callback.
 */
async function start(dagId: string, params: Record<string, unknown>, label = dagId, extra: Partial<WorkflowConf> = {}) {
  const runId = uniqueRunId(label);
  const conversationId = `test:${label}`;
  receiver.pending.set(conversationId, { runId, dagId });
  await runner.trigger(dagId, runId, {
    conversation_id: conversationId,
    run_id: runId,
    callback_url: `${receiver.url}/api/bot/webhook`,
    params,
    ...extra,
  });
  return { runId, dagId, conversationId, callback: receiver.waitFor(runId) };
}

type Started = Awaited<ReturnType<typeof start>>;

/** A demo CMMS user's own session: their id and token, as the gateway's link holds them. */
async function cmmsLogin(username: string): Promise<{ id: number; token: string }> {
  const response = await fetch(`${cmms.url}/api/login/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: username }),
  });
  const body = (await response.json()) as { token: string; user: { id: number } };
  return { id: body.user.id, token: body.token };
}

/** The conf of a run acting as `username`, whose conversation `test:<label>` is linked to them. */
async function actingAs(username: string, label: string): Promise<Partial<WorkflowConf>> {
  const { id, token } = await cmmsLogin(username);
  receiver.links.set(`test:${label}`, { cmmsUserId: id, token });
  return {
    acting_as: { cmms_user_id: id, username },
    credentials_url: `${receiver.url}${CREDENTIALS_PATH}`,
  };
}

/** Starts a run of a user-only workflow acting as `username`. */
const startAs = async (username: string, dagId: string, params: Record<string, unknown>, label: string) =>
  start(dagId, params, label, await actingAs(username, label));

/** The callback, checked for what every callback must be: signed over its raw bytes, addressed right. */
async function verified(run: Started, status: 'success' | 'failed'): Promise<ReceivedCallback> {
  const cb = await run.callback;
  expect(cb.path).toBe('/api/bot/webhook');
  expect(cb.headers['content-type']).toMatch(/^application\/json/);
  expect(verifySignature(cmms.secret, cb.rawBody, cb.headers[CALLBACK_SIGNATURE_HEADER] as string)).toBe(true);
  expect(verifySignature('another-secret', cb.rawBody, cb.headers[CALLBACK_SIGNATURE_HEADER] as string)).toBe(false);
  expect(cb.json).toMatchObject({ conversation_id: run.conversationId, run_id: run.runId, dag_id: run.dagId, status });
  return cb;
}

beforeAll(async () => {
  admin = airflowAdmin(env);
  cmms = await startTestCmms(admin);
  receiver = await startCallbackReceiver();
  runner = createAirflowRunner({ baseUrl: env.url, username: env.username, password: env.password });
});

afterAll(async () => {
  await runner?.close();
  await receiver?.close();
  await cmms?.close();
});

describe('DAG runs that succeed', () => {
  // Started together so that Airflow runs them side by side; each test awaits its own callback.
  let runs: Record<string, Started>;
  beforeAll(async () => {
    runs = {
      status: await start('consultar_estado_ot', { numeroot: 'OT-CORR-1' }, 'status'),
      statusLower: await start('consultar_estado_ot', { numeroot: 'ot-prev-3' }, 'status_lower'),
      notFound: await start('consultar_estado_ot', { numeroot: 'OT-NO-EXISTE-999' }, 'not_found'),
      equipment: await start('listar_equipos', {}, 'equipment'),
      pending: await start('listar_ot_pendientes', {}, 'pending'),
      report: await start(
        'reportar_falla',
        // The equipment's id, typed as text (CAT-001 is 1 in the demo CMMS): normalized to 1, as in-process.
        { idequipo: '1', descripcion: 'Fuga de aceite hidráulico en el cilindro del balde', prioridad: 'alta' },
        'report',
      ),
      rejected: await start(
        'reportar_falla',
        { idequipo: 987654, descripcion: 'Equipo inexistente', prioridad: 'baja' },
        'rejected',
      ),
    };
  });

  it('consultar_estado_ot finds an order by its number and reports its state', async () => {
    const cb = await verified(runs.status!, 'success');
    const result = cb.json.result as { found: boolean; order: Record<string, unknown> };
    expect(result.found).toBe(true);
    expect(Object.keys(result.order).sort()).toEqual(WORK_ORDER_KEYS);
    expect(result.order).toMatchObject({ numeroot: 'OT-CORR-1', estado_nombre: 'En Progreso' });
    expect(cb.json.error).toBeUndefined();
  });

  it('consultar_estado_ot matches the number without regard to case', async () => {
    const cb = await verified(runs.statusLower!, 'success');
    expect(cb.json.result).toMatchObject({ found: true, order: { numeroot: 'OT-PREV-3' } });
  });

  it('consultar_estado_ot answers found:false, a success, for an unknown number', async () => {
    const cb = await verified(runs.notFound!, 'success');
    expect(cb.json.result).toEqual({ found: false, numeroot: 'OT-NO-EXISTE-999' });
    expect(await admin.waitForRunEnd('consultar_estado_ot', runs.notFound!.runId)).toBe('success');
  });

  it('listar_equipos lists every equipment with the summary fields', async () => {
    const cb = await verified(runs.equipment!, 'success');
    const result = cb.json.result as { total: number; equipment: Record<string, unknown>[] };
    expect(result.total).toBe(result.equipment.length);
    expect(result.total).toBeGreaterThan(0);
    for (const item of result.equipment) expect(Object.keys(item).sort()).toEqual(EQUIPMENT_KEYS);
    expect(result.equipment.map((e) => e.codigointerno)).toContain('CAT-001');
  });

  it('listar_ot_pendientes lists open orders only, most urgent first, at most 10', async () => {
    const cb = await verified(runs.pending!, 'success');
    const result = cb.json.result as { total: number; orders: Record<string, unknown>[] };
    expect(result.orders.length).toBeGreaterThan(0);
    expect(PENDING_LIMIT).toBe(10);
    expect(result.orders.length).toBeLessThanOrEqual(PENDING_LIMIT);
    expect(result.total).toBeGreaterThanOrEqual(result.orders.length);
    const ranks = result.orders.map((o) => priorityRank(o.prioridad));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    for (const order of result.orders) {
      expect(Object.keys(order).sort()).toEqual(WORK_ORDER_KEYS);
      expect(isPendingState(order.estado_nombre)).toBe(true);
    }
  });

  it('reportar_falla creates a corrective order in the CMMS, found afterwards by its number', async () => {
    const cb = await verified(runs.report!, 'success');
    const order = (cb.json.result as { order: Record<string, unknown> }).order;
    expect(Object.keys(order).sort()).toEqual(WORK_ORDER_KEYS);
    expect(order.numeroot).toMatch(/^OT-CORR-/);
    expect(order).toMatchObject({
      prioridad: 'Alta',
      estado_nombre: 'Abierta',
      tipo_mantenimiento_nombre: 'Correctivo',
    });
    expect(order.descripcionproblemareportado).toBe('Fuga de aceite hidráulico en el cilindro del balde');
    const check = await start('consultar_estado_ot', { numeroot: order.numeroot }, 'report_check');
    const found = await verified(check, 'success');
    expect(found.json.result).toMatchObject({ found: true, order: { numeroot: order.numeroot } });
  });

  it('a CMMS rejection (unknown equipment id) still calls back, with status failed, and fails the run', async () => {
    const cb = await verified(runs.rejected!, 'failed');
    const error = cb.json.error as { code: string; message: string };
    // The code the in-process runner gives the same 400 (core/workflows/definitions.test.ts).
    expect(error.code).toBe(cmmsErrorCode({ status: 400 }));
    expect(error.code).toBe('cmms_rejected');
    expect(error.message.length).toBeGreaterThan(0);
    expect(cb.json.result).toBeUndefined();
    expect(await admin.waitForRunEnd('reportar_falla', runs.rejected!.runId)).toBe('failed');
  });
});

describe('DAG runs that fail', () => {
  it('a required parameter of the catalog that is missing fails at once as invalid_params', async () => {
    const run = await start('consultar_estado_ot', { numeroot: ' ' }, 'no_params');
    const cb = await verified(run, 'failed');
    expect(cb.json.error).toMatchObject({ code: 'invalid_params', message: 'numeroot is required' });
    expect(await admin.waitForRunEnd('consultar_estado_ot', run.runId)).toBe('failed');
    expect((await admin.taskInstance('consultar_estado_ot', run.runId, 'result')).try_number).toBe(1);
  });

  it('params outside the catalog rule fail as invalid_params with the in-process message (an equipment code is not an id)', async () => {
    const params = { idequipo: 'CAT-001', descripcion: 'corta' };
    const run = await start('reportar_falla', params, 'bad_params');
    const cb = await verified(run, 'failed');
    expect(cb.json.error).toEqual({ code: 'invalid_params', message: invalidParameters('reportar_falla', params) });
    expect(cb.json.error).toMatchObject({
      message: 'idequipo must be an integer; descripcion must have at least 10 characters',
    });
  });

  it('a wrong CMMS token (401) ends as status failed with cmms_auth, without retries', async () => {
    await admin.setVariable('cmms_token', 'not-a-valid-token');
    try {
      const run = await start('listar_equipos', {}, 'bad_token');
      const cb = await verified(run, 'failed');
      expect(cb.json.error).toMatchObject({ code: 'cmms_auth' });
      expect(await admin.waitForRunEnd('listar_equipos', run.runId)).toBe('failed');
      expect((await admin.taskInstance('listar_equipos', run.runId, 'result')).try_number).toBe(1);
    } finally {
      await cmms.useIt();
    }
  });

  it('a CMMS that does not answer ends as cmms_unreachable after Airflow retried the task', async () => {
    await admin.setVariable('cmms_url', 'http://127.0.0.1:9');
    try {
      const run = await start('consultar_estado_ot', { numeroot: 'OT-CORR-1' }, 'unreachable');
      const cb = await verified(run, 'failed');
      expect(cb.json.error).toMatchObject({ code: 'cmms_unreachable' });
      expect(await admin.waitForRunEnd('consultar_estado_ot', run.runId)).toBe('failed');
      const retries = Number(process.env.OMNIBOT_TASK_RETRIES ?? 2);
      expect((await admin.taskInstance('consultar_estado_ot', run.runId, 'result')).try_number).toBe(retries + 1);
    } finally {
      await cmms.useIt();
    }
  });

  it('a 409 from the gateway (stale run) is final: one callback, and the run still succeeds', async () => {
    receiver.answer = 409;
    try {
      const run = await start('listar_ot_pendientes', {}, 'stale');
      await verified(run, 'success');
      expect(await admin.waitForRunEnd('listar_ot_pendientes', run.runId)).toBe('success');
      expect(receiver.received.filter((cb) => cb.json.run_id === run.runId)).toHaveLength(1);
    } finally {
      receiver.answer = 200;
    }
  });
});

describe('a CMMS service account', () => {
  it('a logged-out CMMS token: with cmms_username/cmms_password the DAG logs in again and succeeds', async () => {
    await admin.setVariables({
      cmms_token: 'logged-out-token',
      cmms_username: DEMO_CMMS_USER.username,
      cmms_password: DEMO_CMMS_USER.password,
    });
    try {
      const cb = await verified(await start('listar_equipos', {}, 'relogin'), 'success');
      expect((cb.json.result as { total: number }).total).toBeGreaterThan(0);
      expect(JSON.stringify(cb.json)).not.toContain(DEMO_CMMS_TOKEN);
    } finally {
      await admin.setVariables({ cmms_username: '', cmms_password: '' });
      await cmms.useIt();
    }
  });
});

const numbers = (cb: ReceivedCallback) =>
  (cb.json.result as { orders: { numeroot: string }[] }).orders.map((o) => o.numeroot);
const TECNICO1 = 10;

describe("a user's orders and the actions on them", () => {
  it('lists my orders and the unassigned ones, then starts, completes and assigns orders (each once)', async () => {
    // The lists first: the actions below change them.
    const lists = {
      assigned: await startAs(
        'tecnico1',
        'listar_mis_ot',
        { idusuario: TECNICO1, filtro: 'asignadas' },
        'mine_assigned',
      ),
      mine: await startAs('operador1', 'listar_mis_ot', { idusuario: '3', filtro: 'Mias' }, 'mine_requested'),
      unassigned: await startAs('supervisor1', 'listar_ot_sin_asignar', {}, 'unassigned'),
    };
    const assigned = await verified(lists.assigned, 'success');
    expect(assigned.json.result).toMatchObject({ total: 2, filtro: 'asignadas' });
    expect(numbers(assigned)).toEqual(['OT-CORR-1', 'OT-PREV-5']);
    for (const order of (assigned.json.result as { orders: Record<string, unknown>[] }).orders) {
      expect(Object.keys(order).sort()).toEqual(WORK_ORDER_KEYS);
    }
    const mine = await verified(lists.mine, 'success');
    expect(mine.json.result).toMatchObject({ filtro: 'mias' });
    expect(numbers(mine).slice(0, 3)).toEqual([
      'OT-CORR-CAT-002-20261124170414-768',
      'OT-CORR-1',
      'OT-CORR-LIE-001-20261121101500-769',
    ]);
    const mineResult = mine.json.result as { total: number; open: number; orders: { estado_nombre: string }[] };
    expect(mineResult.orders.filter((o) => !isPendingState(o.estado_nombre))).toHaveLength(
      Math.min(mineResult.total - mineResult.open, workflowConstants('listar_mis_ot').closedLimit),
    );
    // Not yet assigned: no technician, or reported (the failure reported above, whose technician the
    // CMMS made its reporter).
    const unassigned = await verified(lists.unassigned, 'success');
    expect(numbers(unassigned)[0]).toBe('OT-CORR-CAT-002-20261124170414-768');
    expect(numbers(unassigned)).toContain('OT-PREV-4');
    const reported = (unassigned.json.result as { orders: Record<string, unknown>[] }).orders.filter(
      (o) => o.idtecnicoasignado !== null,
    );
    expect(reported.length).toBeGreaterThan(0);
    for (const order of reported)
      expect(order).toMatchObject({ estado_nombre: 'Abierta', tipo_mantenimiento_nombre: 'Correctivo' });

    const actions = {
      start: await startAs('tecnico1', 'iniciar_ot', { numeroot: 'OT-PREV-5', idusuario: TECNICO1 }, 'start'),
      notMine: await startAs(
        'tecnico1',
        'iniciar_ot',
        { numeroot: 'OT-PREV-3', idusuario: TECNICO1 },
        'start_not_mine',
      ),
      complete: await startAs(
        'tecnico1',
        'completar_ot',
        { numeroot: 'OT-CORR-1', idusuario: TECNICO1, observaciones: 'Sello del cilindro cambiado', minutos: 45 },
        'complete',
      ),
      assign: await startAs('supervisor1', 'asignar_ot', { numeroot: 'OT-PREV-4', idtecnico: 11 }, 'assign'),
      closed: await startAs('supervisor1', 'asignar_ot', { numeroot: 'OT-CORR-2', idtecnico: 11 }, 'assign_closed'),
    };
    expect((await verified(actions.start, 'success')).json.result).toMatchObject({
      changed: true,
      order: { numeroot: 'OT-PREV-5', estado_nombre: 'En Progreso' },
    });
    expect((await verified(actions.notMine, 'failed')).json.error).toMatchObject({ code: 'not_assigned' });
    expect((await verified(actions.complete, 'success')).json.result).toMatchObject({
      changed: true,
      minutos: 45,
      order: { numeroot: 'OT-CORR-1', estado_nombre: 'Completada' },
    });
    expect((await verified(actions.assign, 'success')).json.result).toMatchObject({
      changed: true,
      order: {
        numeroot: 'OT-PREV-4',
        estado_nombre: 'Asignada',
        idtecnicoasignado: 11,
        tecnico_nombre: 'María González',
      },
    });
    expect((await verified(actions.closed, 'failed')).json.error).toMatchObject({ code: 'order_closed' });

    // Again: nothing is written twice.
    const params = { numeroot: 'OT-CORR-1', idusuario: TECNICO1, observaciones: 'Otra vez', minutos: 5 };
    const again = await verified(await startAs('tecnico1', 'completar_ot', params, 'complete_again'), 'success');
    expect(again.json.result).toMatchObject({ changed: false, order: { estado_nombre: 'Completada' } });

    // OT-PREV-5, started above by Juan, given to María: Asignada again, and who had it.
    const moved = await startAs('supervisor1', 'asignar_ot', { numeroot: 'OT-PREV-5', idtecnico: 11 }, 'reassign');
    expect((await verified(moved, 'success')).json.result).toMatchObject({
      changed: true,
      order: { numeroot: 'OT-PREV-5', estado_nombre: 'Asignada', idtecnicoasignado: 11 },
      previous: { idtecnicoasignado: TECNICO1, tecnico_nombre: 'Juan Pérez', estado_nombre: 'En Progreso' },
    });
  });

  it('a report says who made it, in observacionesadicionales before the marker', async () => {
    const params = {
      idequipo: 1,
      descripcion: 'Ruido en el motor al arrancar por la mañana',
      reportado_por: 'Reportado por Juan Pérez vía Telegram',
    };
    const cb = await verified(await start('reportar_falla', params, 'report_by'), 'success');
    const { idordentrabajo } = (cb.json.result as { order: { idordentrabajo: number } }).order;
    const detail = (await (await fetch(`${cmms.url}/api/ordenes-trabajo/${idordentrabajo}/`)).json()) as Record<
      string,
      unknown
    >;
    expect(detail.observacionesfinales).toMatch(
      /^Reportado por Juan Pérez vía Telegram\. Reportada por el asistente omnibot \(ref\. [0-9a-f]{16}\)$/,
    );
  });
});

describe('a run acting as a linked user', () => {
  it("calls the CMMS with the user's token from the signed credential request; the token is nowhere else", async () => {
    const label = 'acting';
    const extra = await actingAs('tecnico1', label);
    const token = receiver.links.get(`test:${label}`)!.token;
    const params = {
      idequipo: 2,
      descripcion: 'Vibración fuerte en la tornamesa al girar',
      reportado_por: 'Reportado por Juan Pérez vía WhatsApp',
    };
    const run = await start('reportar_falla', params, label, extra);
    const cb = await verified(run, 'success');
    // The CMMS took the requester from the token: the user's, not the service account's.
    expect(cb.json.result).toMatchObject({ order: { idsolicitante: TECNICO1, solicitante_nombre: 'Juan Pérez' } });
    const asked = receiver.credentialRequests.find((r) => r.json.run_id === run.runId)!;
    // The DAG run's own run_id and dag_id, and the CMMS user the run acts for.
    expect(asked.json).toEqual({
      conversation_id: run.conversationId,
      run_id: run.runId,
      dag_id: 'reportar_falla',
      cmms_user_id: TECNICO1,
      ts: expect.any(Number),
    });
    expect(verifySignature(cmms.secret, asked.rawBody, asked.headers[CALLBACK_SIGNATURE_HEADER] as string)).toBe(true);
    const taskPath = `/api/v2/dags/reportar_falla/dagRuns/${encodeURIComponent(run.runId)}/taskInstances/result`;
    const xcoms = await admin.get(`${taskPath}/xcomEntries`);
    const logs = await admin.get(`${taskPath}/logs/1?full_content=true`);
    expect(xcoms.status).toBe(200);
    expect(logs.status).toBe(200);
    for (const seen of [cb.rawBody.toString('utf8'), JSON.stringify(xcoms.body), JSON.stringify(logs.body)]) {
      expect(seen).not.toContain(token);
    }
  });

  it('a link that is gone (credentials 403) ends as identity_expired', async () => {
    const label = 'acting_unlinked';
    const extra = await actingAs('tecnico1', label);
    receiver.links.delete(`test:${label}`);
    const run = await start('listar_mis_ot', { idusuario: TECNICO1, filtro: 'mias' }, label, extra);
    expect((await verified(run, 'failed')).json.error).toMatchObject({ code: 'identity_expired' });
    expect((await admin.taskInstance('listar_mis_ot', run.runId, 'result')).try_number).toBe(1);
  });

  it('a user-only workflow without acting_as ends as identity_expired, never as the service account', async () => {
    const run = await start('iniciar_ot', { numeroot: 'OT-PREV-5', idusuario: TECNICO1 }, 'user_only_service');
    expect((await verified(run, 'failed')).json.error).toMatchObject({ code: 'identity_expired' });
    // As the service account the run would have succeeded (changed or not): it asked nothing.
    expect(receiver.credentialRequests.filter((r) => r.json.conversation_id === run.conversationId)).toEqual([]);
    expect((await admin.taskInstance('iniciar_ot', run.runId, 'result')).try_number).toBe(1);
  });

  it("a conf naming another conversation's run cannot get that run's token: the DAG signs its own run", async () => {
    // The victim's run is pending in their conversation; an Airflow user triggers a run of the same
    // DAG with the victim's conversation_id and run_id in its conf.
    const victim = await startAs('tecnico1', 'listar_mis_ot', { idusuario: TECNICO1, filtro: 'mias' }, 'victim');
    await verified(victim, 'success');
    // Still pending here (as while the victim's run goes on), with the victim's live link.
    const forgedRunId = uniqueRunId('forged');
    await runner.trigger('listar_mis_ot', forgedRunId, {
      conversation_id: victim.conversationId,
      run_id: victim.runId,
      callback_url: `${receiver.url}/api/bot/webhook`,
      params: { idusuario: TECNICO1, filtro: 'mias' },
      acting_as: { cmms_user_id: TECNICO1, username: 'tecnico1' },
      credentials_url: `${receiver.url}${CREDENTIALS_PATH}`,
    });
    expect(await admin.waitForRunEnd('listar_mis_ot', forgedRunId)).toBe('failed');
    const forged = receiver.credentialRequests.filter((r) => r.json.run_id === forgedRunId);
    expect(forged.length).toBeGreaterThan(0);
    expect(forged[0]!.json).toMatchObject({ conversation_id: victim.conversationId, dag_id: 'listar_mis_ot' });
    expect(receiver.credentialRequests.filter((r) => r.json.run_id === victim.runId)).toHaveLength(1); // the victim's own
  });

  it('the Variable omnibot_credentials_url wins over the conf’s credentials_url', async () => {
    const label = 'acting_variable';
    const extra = await actingAs('tecnico1', label);
    await admin.setVariables({ omnibot_credentials_url: `${receiver.url}${CREDENTIALS_PATH}` });
    try {
      const run = await start('listar_mis_ot', { idusuario: TECNICO1, filtro: 'asignadas' }, label, {
        ...extra,
        credentials_url: 'http://127.0.0.1:9/api/bot/credentials',
      });
      expect((await verified(run, 'success')).json.result).toMatchObject({ filtro: 'asignadas' });
      expect(receiver.credentialRequests.filter((r) => r.json.run_id === run.runId)).toHaveLength(1);
    } finally {
      await admin.setVariables({ omnibot_credentials_url: '' });
    }
  });
});
