/**
 * The workflows a linked user starts (their own orders, starting, completing and assigning one, a
 * report that says who made it), in-process against the demo CMMS with each role's own token, as
 * `LocalRunner` runs them (`core/workflows/definitions.ts`). Their DAGs run in the Airflow tier.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type CmmsClient, createCmmsClient } from '../../core/cmms/client.ts';
import { DEMO_CMMS_TOKEN, DEMO_CMMS_USER, startDemoCmms } from '../../core/cmms/demo-server.ts';
import { silentLogger } from '../../core/log.ts';
import { workflowErrorOf, workflows } from '../../core/workflows/definitions.ts';
import { type AssignWorkOrderResult, asignar_ot } from '../../workflows/asignar_ot.ts';
import type { WorkOrderSummary } from '../../workflows/cmms.ts';
import { listar_mis_ot, type MyWorkOrdersResult } from '../../workflows/listar_mis_ot.ts';
import { listar_ot_sin_asignar, type UnassignedWorkOrdersResult } from '../../workflows/listar_ot_sin_asignar.ts';
import { reportMarker } from '../../workflows/reportar_falla.ts';

type Demo = Awaited<ReturnType<typeof startDemoCmms>>;
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/**
 * A fresh demo CMMS, its service account's client (a token and a password: it could log in), and a
 * client per user (their own token).
 */
async function demoCmms() {
  const demo: Demo = await startDemoCmms({ rateLimit: false });
  const account = { token: DEMO_CMMS_TOKEN, ...DEMO_CMMS_USER };
  const service = createCmmsClient({ baseUrl: demo.url, ...account, retries: 0, logger: silentLogger });
  closers.push(
    () => service.close(),
    () => demo.close(),
  );
  const api = async (method: string, path: string, body?: unknown, token?: string) => {
    const response = await fetch(`${demo.url}/api/${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Token ${token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return (text ? JSON.parse(text) : {}) as Record<string, unknown>;
  };
  const tokenOf = async (username: string) =>
    (await api('POST', 'login/', { username, password: username })).token as string;
  return { service, api, tokenOf, as: async (username: string) => service.asUser(await tokenOf(username)) };
}

const TECNICO1 = 10;
const OPERADOR1 = 3;
const run = (id: string, cmms: CmmsClient, params: Record<string, unknown>, attempt = 1) =>
  workflows[id]!(cmms, params, { runId: `test:${id}:${attempt}`, attempt });
const failure = (work: Promise<unknown>) =>
  work.then(
    () => expect.fail('the workflow must fail'),
    (error: unknown) => workflowErrorOf(error).code,
  );
const numbers = (result: unknown) => (result as { orders: { numeroot: string }[] }).orders.map((o) => o.numeroot);

describe('listar_mis_ot and listar_ot_sin_asignar', () => {
  it('"mias": the orders I requested or am assigned to, open ones first (most urgent), then closed ones (newest)', async () => {
    const cmms = await demoCmms();
    const mine = (await run('listar_mis_ot', await cmms.as('operador1'), { idusuario: OPERADOR1, filtro: 'mias' })) as {
      total: number;
      filtro: string;
    };
    expect(mine).toMatchObject({ total: 4, filtro: 'mias' });
    expect(numbers(mine)).toEqual([
      'OT-CORR-CAT-002-20261124170414-768',
      'OT-CORR-1',
      'OT-CORR-LIE-001-20261121101500-769',
      'OT-CORR-2',
    ]);
    const technician = (await run('listar_mis_ot', cmms.service, {
      idusuario: String(TECNICO1),
      filtro: ' MIAS ',
    })) as MyWorkOrdersResult;
    // 2 open, 13 historical completed ones: the open ones, then the 3 most recent closed ones.
    expect(technician).toMatchObject({ total: 15, open: 2 });
    expect(numbers(technician).slice(0, 2)).toEqual(['OT-CORR-1', 'OT-PREV-5']);
    const closed = technician.orders.slice(2);
    expect(closed.map((o) => o.estado_nombre)).toEqual(['Completada', 'Completada', 'Completada']);
    const dates = closed.map((o) => o.fechacreacionot);
    expect(dates).toEqual([...dates].sort().reverse());
    const text = listar_mis_ot.render(technician).text.split('\n');
    expect(text.slice(0, 3)).toEqual([
      'Tus órdenes de trabajo (15):',
      '• OT-CORR-1 — Excavadora CAT 320 — En Progreso — Alta',
      expect.stringMatching(/^• OT-PREV-5 — .* — Asignada — Media$/),
    ]);
    expect(text.slice(3)).toEqual([
      'Las cerradas más recientes:',
      ...closed.map((o) => expect.stringMatching(new RegExp(`^• ${o.numeroot} — .* — Completada — \\S+`))),
      '…y 10 cerradas más.',
    ]);
  });

  it('"asignadas": my open orders only, most urgent first; none for someone with none', async () => {
    const cmms = await demoCmms();
    const tecnico1 = await cmms.as('tecnico1');
    const assigned = await run('listar_mis_ot', tecnico1, { idusuario: TECNICO1, filtro: 'asignadas' });
    expect(assigned).toMatchObject({ total: 2, filtro: 'asignadas' });
    expect(numbers(assigned)).toEqual(['OT-CORR-1', 'OT-PREV-5']);
    expect(await run('listar_mis_ot', tecnico1, { idusuario: OPERADOR1, filtro: 'asignadas' })).toEqual({
      total: 0,
      open: 0,
      orders: [],
      filtro: 'asignadas',
    });
    expect(await failure(run('listar_mis_ot', tecnico1, { idusuario: 0, filtro: 'todas' }))).toBe('invalid_params');
  });

  it('lists the open orders not yet assigned: with no technician, or reported (the reporter as technician)', async () => {
    const cmms = await demoCmms();
    const supervisor = await cmms.as('supervisor1');
    const unassigned = await run('listar_ot_sin_asignar', supervisor, {});
    expect(unassigned).toMatchObject({ total: 2 });
    expect(numbers(unassigned)).toEqual(['OT-CORR-CAT-002-20261124170414-768', 'OT-PREV-4']);

    // The CMMS makes the reporter the technician of a reported failure: still not assigned.
    const report = { idequipo: 1, descripcion: 'Fuga de aceite en el cilindro del brazo', prioridad: 'Alta' };
    const { order } = (await run('reportar_falla', await cmms.as('operador1'), report)) as {
      order: WorkOrderSummary;
    };
    expect(order).toMatchObject({ estado_nombre: 'Abierta', idtecnicoasignado: OPERADOR1 });
    const withReport = (await run('listar_ot_sin_asignar', supervisor, {})) as UnassignedWorkOrdersResult;
    expect(numbers(withReport)).toEqual(['OT-CORR-CAT-002-20261124170414-768', order.numeroot, 'OT-PREV-4']);
    expect(listar_ot_sin_asignar.render(withReport).text.split('\n')).toEqual([
      'Órdenes de trabajo sin asignar (3):',
      '• OT-CORR-CAT-002-20261124170414-768 — Excavadora CAT 336 — Abierta — Crítica — solicitada por Diego Fuentes',
      `• ${order.numeroot} — Excavadora CAT 320 — Abierta — Alta — solicitada por Diego Fuentes`,
      '• OT-PREV-4 — Cargador Frontal Volvo L350H — Abierta — Baja — solicitada por Carolina Muñoz',
    ]);

    // Once a supervisor assigns it (even to the reporter's id), it is no longer listed.
    const assigned = await run('asignar_ot', supervisor, { numeroot: order.numeroot, idtecnico: 11 });
    expect(assigned).toMatchObject({ changed: true, order: { estado_nombre: 'Asignada' } });
    expect(assigned).not.toHaveProperty('previous'); // a reporter was never assigned
    expect(numbers(await run('listar_ot_sin_asignar', supervisor, {}))).toEqual([
      'OT-CORR-CAT-002-20261124170414-768',
      'OT-PREV-4',
    ]);
  });
});

describe('what "sin asignar" means, as the DAG (test/airflow/checks/roles.py)', () => {
  it("open orders reported (Abierta, v2's Pendiente; whoever is technician) or with no technician", async () => {
    const order = (n: number, estado: string, prioridad: string, idtecnicoasignado: number | string | null = null) =>
      ({
        idordentrabajo: n,
        numeroot: `OT-${n}`,
        estado_nombre: estado,
        prioridad,
        idtecnicoasignado,
      }) as WorkOrderSummary;
    const orders = [
      order(1, 'Abierta', 'Baja'),
      order(2, 'Abierta', 'Alta', 3),
      order(3, 'PENDIENTE', 'Crítica', 3),
      order(4, 'Asignada', 'Media', 10),
      order(5, 'En Progreso', 'Media', 10),
      order(6, 'Pendiente Aprobación', 'Media', 12),
      order(7, 'Pendiente Aprobación', 'Media', ''),
      order(8, 'Completada', 'Media'),
      order(9, 'Cancelada', 'Media', 3),
    ];
    const cmms = { listWorkOrders: async () => orders } as unknown as CmmsClient;
    const result = await run('listar_ot_sin_asignar', cmms, {});
    expect(result).toMatchObject({ total: 4 });
    expect(numbers(result)).toEqual(['OT-3', 'OT-2', 'OT-7', 'OT-1']);
  });
});

describe('iniciar_ot', () => {
  it('puts my assigned order En Progreso; again it changes nothing; a resumed run gives the first outcome', async () => {
    const cmms = await demoCmms();
    const tecnico1 = await cmms.as('tecnico1');
    const params = { numeroot: 'ot-prev-5', idusuario: TECNICO1 };
    expect(await run('iniciar_ot', tecnico1, params)).toMatchObject({
      changed: true,
      order: { numeroot: 'OT-PREV-5', estado_nombre: 'En Progreso', idtecnicoasignado: TECNICO1 },
    });
    expect(await cmms.service.findWorkOrder('OT-PREV-5')).toMatchObject({ estado_nombre: 'En Progreso' });
    expect(await run('iniciar_ot', tecnico1, params)).toMatchObject({ changed: false });
    expect(await run('iniciar_ot', tecnico1, params, 2)).toMatchObject({ changed: true });
  });

  it('refuses an order assigned to someone else, a closed one and one that does not exist', async () => {
    const cmms = await demoCmms();
    const tecnico1 = await cmms.as('tecnico1');
    expect(await failure(run('iniciar_ot', tecnico1, { numeroot: 'OT-PREV-3', idusuario: TECNICO1 }))).toBe(
      'not_assigned',
    );
    const done = (await cmms.service.listWorkOrders()).find(
      (o) => o.idtecnicoasignado === TECNICO1 && o.estado_nombre === 'Completada',
    )!;
    expect(await failure(run('iniciar_ot', tecnico1, { numeroot: done.numeroot, idusuario: TECNICO1 }))).toBe(
      'order_closed',
    );
    expect(await failure(run('iniciar_ot', tecnico1, { numeroot: 'OT-NO-EXISTE', idusuario: TECNICO1 }))).toBe(
      'order_not_found',
    );
    expect(await cmms.service.findWorkOrder('OT-PREV-3')).toMatchObject({ estado_nombre: 'Asignada' });
  });
});

describe('completar_ot', () => {
  it('completes my order with the observations and minutes; a retried run never completes it twice', async () => {
    const cmms = await demoCmms();
    const tecnico1 = await cmms.as('tecnico1');
    const params = { numeroot: 'OT-CORR-1', idusuario: TECNICO1, observaciones: 'Sello cambiado', minutos: '45' };
    expect(await run('completar_ot', tecnico1, params)).toMatchObject({
      changed: true,
      minutos: 45,
      order: { numeroot: 'OT-CORR-1', estado_nombre: 'Completada' },
    });
    const completed = await cmms.api('GET', 'ordenes-trabajo/56/');
    expect(completed).toMatchObject({ observacionesfinales: 'Sello cambiado', tiempototalminutos: 45 });
    const again = { ...params, observaciones: 'Otra vez', minutos: 90 };
    expect(await run('completar_ot', tecnico1, again)).toMatchObject({ changed: false });
    expect(await run('completar_ot', tecnico1, again, 2)).toMatchObject({ changed: true, minutos: 90 });
    expect(await cmms.api('GET', 'ordenes-trabajo/56/')).toEqual(completed);
  });

  it('refuses too short observations or no minutes before the CMMS is asked, and an order not mine', async () => {
    const cmms = await demoCmms();
    const tecnico1 = await cmms.as('tecnico1');
    const params = { numeroot: 'OT-CORR-1', idusuario: TECNICO1, observaciones: 'ok', minutos: 0 };
    expect(workflowErrorOf(await run('completar_ot', tecnico1, params).catch((e: unknown) => e))).toEqual({
      code: 'invalid_params',
      message: 'observaciones must have at least 3 characters; minutos must be at least 1',
    });
    const notMine = { numeroot: 'OT-PREV-3', idusuario: TECNICO1, observaciones: 'Listo', minutos: 5 };
    expect(await failure(run('completar_ot', tecnico1, notMine))).toBe('not_assigned');
  });
});

describe('asignar_ot', () => {
  it('assigns an order to a technician (Asignada); again it changes nothing', async () => {
    const cmms = await demoCmms();
    const supervisor = await cmms.as('supervisor1');
    const params = { numeroot: 'OT-PREV-4', idtecnico: 11 };
    const done = (await run('asignar_ot', supervisor, params)) as AssignWorkOrderResult;
    expect(done).toEqual({
      changed: true,
      order: expect.objectContaining({
        numeroot: 'OT-PREV-4',
        estado_nombre: 'Asignada',
        idtecnicoasignado: 11,
        tecnico_nombre: 'María González',
      }),
    });
    expect(asignar_ot.render(done).text).toBe('Listo, asigné la orden OT-PREV-4 a María González; quedó Asignada.');
    const again = (await run('asignar_ot', supervisor, params)) as AssignWorkOrderResult;
    expect(again).toMatchObject({ changed: false });
    expect(asignar_ot.render(again).text).toBe(
      'La orden OT-PREV-4 ya estaba asignada a María González (Asignada); no cambié nada.',
    );
    // A started order of the same technician stays started.
    const started = { numeroot: 'OT-CORR-1', idtecnico: TECNICO1 };
    expect(await run('asignar_ot', supervisor, started)).toEqual({
      changed: false,
      order: expect.objectContaining({ estado_nombre: 'En Progreso', idtecnicoasignado: TECNICO1 }),
    });
  });

  it('reassigns a started order to another technician as Asignada, saying who had it and how', async () => {
    const cmms = await demoCmms();
    const supervisor = await cmms.as('supervisor1');
    const result = (await run('asignar_ot', supervisor, {
      numeroot: 'OT-CORR-1',
      idtecnico: 11,
    })) as AssignWorkOrderResult;
    expect(result).toMatchObject({
      changed: true,
      order: { numeroot: 'OT-CORR-1', estado_nombre: 'Asignada', idtecnicoasignado: 11 },
      previous: { idtecnicoasignado: TECNICO1, tecnico_nombre: 'Juan Pérez', estado_nombre: 'En Progreso' },
    });
    expect(asignar_ot.render(result).text).toBe(
      'Listo, asigné la orden OT-CORR-1 a María González; quedó Asignada. Antes estaba asignada a Juan Pérez (En Progreso).',
    );
    expect(await cmms.service.findWorkOrder('OT-CORR-1')).toMatchObject({
      estado_nombre: 'Asignada',
      tecnico_nombre: 'María González',
    });
  });

  it('refuses a closed order, an unknown one, and a technician the CMMS does not know', async () => {
    const cmms = await demoCmms();
    const supervisor = await cmms.as('supervisor1');
    expect(await failure(run('asignar_ot', supervisor, { numeroot: 'OT-CORR-2', idtecnico: 11 }))).toBe('order_closed');
    expect(await failure(run('asignar_ot', supervisor, { numeroot: 'OT-9999', idtecnico: 11 }))).toBe(
      'order_not_found',
    );
    expect(await failure(run('asignar_ot', supervisor, { numeroot: 'OT-PREV-4', idtecnico: 999 }))).toBe(
      'cmms_rejected',
    );
  });
});

describe('acting as the user', () => {
  it('reports a failure as its requester, saying who reported it; a resumed run finds that order', async () => {
    const cmms = await demoCmms();
    const operador = await cmms.as('operador1');
    const params = {
      idequipo: 1,
      descripcion: 'Fuga de aceite en el cilindro del brazo',
      reportado_por: 'Reportado por Diego Fuentes vía WhatsApp.',
    };
    const runContext = { runId: 'test:report:1', attempt: 1, startedAt: Date.now() };
    const { order } = (await workflows.reportar_falla!(operador, params, runContext)) as {
      order: { idordentrabajo: number; idsolicitante: number; solicitante_nombre: string };
    };
    expect(order).toMatchObject({ idsolicitante: OPERADOR1, solicitante_nombre: 'Diego Fuentes' });
    expect((await cmms.api('GET', `ordenes-trabajo/${order.idordentrabajo}/`)).observacionesfinales).toBe(
      `Reportado por Diego Fuentes vía WhatsApp. ${reportMarker('test:report:1')}`,
    );
    const resumed = await workflows.reportar_falla!(operador, params, { ...runContext, attempt: 2 });
    expect(resumed).toEqual({ order });
  });

  it("a user's token logged out is identity_expired, never the service account's; a 403 is not_allowed", async () => {
    const cmms = await demoCmms();
    const token = await cmms.tokenOf('tecnico1');
    await cmms.api('POST', 'logout/', undefined, token);
    const params = { idusuario: TECNICO1, filtro: 'mias' };
    expect(await failure(run('listar_equipos', cmms.service.asUser(token), params))).toBe('identity_expired');
    const tecnico1 = await cmms.as('tecnico1');
    expect(workflowErrorOf(await tecnico1.listUsers().catch((e: unknown) => e)).code).toBe('not_allowed');
    const supervisor = await cmms.as('supervisor1');
    expect((await supervisor.listUsers()).find((u) => u.id === TECNICO1)).toEqual({
      id: TECNICO1,
      username: 'tecnico1',
      fullName: 'Juan Pérez',
      role: 'Técnico',
    });
  });
});
