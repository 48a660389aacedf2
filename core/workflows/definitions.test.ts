import { afterAll, describe, expect, it } from 'vitest';
import { createCmmsClient } from '../cmms/client.ts';
import { DEMO_CMMS_TOKEN, startDemoCmms } from '../cmms/demo-server.ts';
import { asPage } from '../cmms/routes.ts';
import { OmnibotError, UpstreamError } from '../errors.ts';
import { silentLogger } from '../log.ts';
import { WorkflowFailure, workflowErrorOf, workflows } from './definitions.ts';

const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const close of closers) await close();
});

async function cmmsAt(options: { unavailable?: boolean; token?: string; url?: string } = {}) {
  const demo = options.url
    ? null
    : await startDemoCmms({ rateLimit: false, unavailable: () => options.unavailable ?? false });
  if (demo) closers.push(() => demo.close());
  const cmms = createCmmsClient({
    baseUrl: options.url ?? demo!.url,
    token: options.token ?? DEMO_CMMS_TOKEN,
    retries: 0,
    timeoutMs: 2_000,
    logger: silentLogger,
  });
  closers.push(() => cmms.close());
  return cmms;
}

const failureOf = (work: Promise<unknown>) =>
  work.then(
    () => expect.fail('the workflow must fail'),
    (error: unknown) => workflowErrorOf(error).code,
  );

/** The same failures and codes as the DAGs' (test/airflow/check_dags.py), through the in-process runner. */
describe('in-process workflows name a CMMS failure with the catalog code', () => {
  it('a refused token (401) is cmms_auth', async () => {
    const cmms = await cmmsAt({ token: 'wrong' });
    expect(await failureOf(workflows.listar_equipos!(cmms, {}))).toBe('cmms_auth');
  });

  it('a CMMS answering 503 is cmms_error', async () => {
    const cmms = await cmmsAt({ unavailable: true });
    expect(await failureOf(workflows.listar_ot_pendientes!(cmms, {}))).toBe('cmms_error');
  });

  it('a report the CMMS refuses (400, unknown equipment) is cmms_rejected', async () => {
    const cmms = await cmmsAt();
    const params = { idequipo: 99_999, descripcion: 'Fuga de aceite en el cilindro' };
    expect(await failureOf(workflows.reportar_falla!(cmms, params))).toBe('cmms_rejected');
  });

  it('a CMMS that does not answer is cmms_unreachable', async () => {
    const cmms = await cmmsAt({ url: 'http://127.0.0.1:9' });
    expect(await failureOf(workflows.consultar_estado_ot!(cmms, { numeroot: 'OT-CORR-1' }))).toBe('cmms_unreachable');
  });
});

it('a CMMS answer that is not what its API documents is cmms_bad_response', () => {
  const error = new UpstreamError('cmms', 'CMMS answered non-JSON', { details: { badResponse: true } });
  expect(workflowErrorOf(error).code).toBe('cmms_bad_response');
  expect(workflowErrorOf(catching(() => asPage({ detail: 'no list' }))).code).toBe('cmms_bad_response');
});

function catching(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  return expect.fail('must throw');
}

describe('workflow parameters', () => {
  it('a required parameter of the catalog that is missing fails as invalid_params before the CMMS is asked', async () => {
    const cmms = await cmmsAt({ url: 'http://127.0.0.1:9' });
    const error = await workflows.consultar_estado_ot!(cmms, { numeroot: '  ' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailure);
    expect(error).toBeInstanceOf(OmnibotError);
    expect(workflowErrorOf(error)).toEqual({ code: 'invalid_params', message: 'numeroot is required' });
  });
});

describe("the catalog's parameter rule, before the CMMS is asked (as the DAGs check it)", () => {
  const refused = async (id: string, params: Record<string, unknown>) => {
    const cmms = await cmmsAt({ url: 'http://127.0.0.1:9' });
    return workflowErrorOf(await workflows[id]!(cmms, params).catch((e: unknown) => e));
  };

  it("refuses a description shorter than the catalog's minLength, and an equipment that is not an id", async () => {
    expect(await refused('reportar_falla', { idequipo: 1, descripcion: ' corta ' })).toEqual({
      code: 'invalid_params',
      message: 'descripcion must have at least 10 characters',
    });
    expect(
      await refused('reportar_falla', { idequipo: 'CAT-001', descripcion: 'Fuga de aceite', prioridad: 'urgente' }),
    ).toEqual({
      code: 'invalid_params',
      message: 'idequipo must be an integer; prioridad must be one of Baja, Media, Alta, Crítica (or 1-4)',
    });
  });

  it('hands the workflow normalized values: an id typed as text, a priority by its position', async () => {
    const cmms = await cmmsAt();
    const [first] = await cmms.listEquipment();
    const result = (await workflows.reportar_falla!(cmms, {
      idequipo: String(first!.idequipo),
      descripcion: '  Fuga de aceite en el cilindro  ',
      prioridad: '4',
    })) as { order: { prioridad: string; descripcionproblemareportado: string } };
    expect(result.order.prioridad).toBe('Crítica');
    expect(result.order.descripcionproblemareportado).toBe('Fuga de aceite en el cilindro');
  });
});

describe('a write to an order that may have reached the CMMS without an answer', () => {
  const order = {
    idordentrabajo: 7,
    numeroot: 'OT-7',
    equipo_nombre: 'Excavadora',
    estado_nombre: 'Asignada',
    tipo_mantenimiento_nombre: 'Correctivo',
    prioridad: 'Alta',
    tecnico_nombre: 'Juan Pérez',
    fechacreacionot: '2026-11-20',
    descripcionproblemareportado: null,
    idsolicitante: 3,
    idtecnicoasignado: 10,
    solicitante_nombre: 'Diego Fuentes',
  };
  /** A CMMS whose PATCH answers 502 (or 400) after applying (or not) the change; reads see what it did. */
  const cmmsWhose = (status: number, applied: boolean) => {
    let now = order;
    return {
      findWorkOrder: async () => now,
      updateWorkOrder: async () => {
        if (applied) now = { ...order, estado_nombre: 'En Progreso' };
        throw new UpstreamError('cmms', `CMMS PATCH answered ${status}`, { status, retryable: false });
      },
    } as unknown as Parameters<NonNullable<(typeof workflows)['iniciar_ot']>>[0];
  };
  const start = (cmms: ReturnType<typeof cmmsWhose>) =>
    workflows.iniciar_ot!(cmms, { numeroot: 'OT-7', idusuario: 10 }, { runId: 'r', attempt: 1 });

  it('reads the order again: the change took, so the run succeeds (changed)', async () => {
    expect(await start(cmmsWhose(502, true))).toMatchObject({ changed: true, order: { estado_nombre: 'En Progreso' } });
  });

  it('fails with the CMMS code when the change did not take, or the CMMS refused it (4xx: no read)', async () => {
    expect(await failureOf(start(cmmsWhose(502, false)))).toBe('cmms_error');
    expect(await failureOf(start(cmmsWhose(400, true)))).toBe('cmms_rejected');
  });
});

describe("a CMMS failure with a user's token", () => {
  it('a 401 (identityExpired) is identity_expired, a 403 not_allowed; without asUser they stay cmms_auth', () => {
    const failure = (status: number, details: Record<string, unknown>) =>
      workflowErrorOf(new UpstreamError('cmms', 'refused', { status, retryable: false, details })).code;
    expect(failure(401, { asUser: true, identityExpired: true })).toBe('identity_expired');
    expect(failure(403, { asUser: true })).toBe('not_allowed');
    expect(failure(503, { asUser: true })).toBe('cmms_error');
    expect(failure(401, {})).toBe('cmms_auth');
    expect(failure(403, {})).toBe('cmms_auth');
  });
});
