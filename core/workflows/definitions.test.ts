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
