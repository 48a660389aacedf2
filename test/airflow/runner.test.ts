/** The Airflow runner against the real Airflow: idempotent trigger, missing/paused DAGs, status + XCom. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowUnavailableError } from '../../core/errors.ts';
import { createAirflowRunner } from '../../core/workflows/airflow-runner.ts';
import type { WorkflowRunner, WorkflowStatus } from '../../core/workflows/types.ts';
import { type AirflowAdmin, airflowAdmin, airflowEnv, uniqueRunId } from './support/airflow-admin.ts';
import { type CallbackReceiver, startCallbackReceiver } from './support/callback-receiver.ts';
import { startTestCmms, type TestCmms } from './support/cmms.ts';

const env = airflowEnv();
let admin: AirflowAdmin;
let cmms: TestCmms;
let receiver: CallbackReceiver;
let runner: WorkflowRunner;

const newRunner = () => createAirflowRunner({ baseUrl: env.url, username: env.username, password: env.password });
const conf = (runId: string, params: Record<string, unknown> = {}) => ({
  conversation_id: 'test:runner',
  run_id: runId,
  callback_url: `${receiver.url}/api/bot/webhook`,
  params,
});

async function reason(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUnavailableError);
  return (err as WorkflowUnavailableError).reason;
}

async function statusUntilDone(dagId: string, runId: string): Promise<WorkflowStatus> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const status = await runner.status(dagId, runId);
    if (status.state === 'success' || status.state === 'failed') return status;
    expect(['queued', 'running']).toContain(status.state);
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${status.state}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

beforeAll(async () => {
  admin = airflowAdmin(env);
  cmms = await startTestCmms(admin);
  receiver = await startCallbackReceiver();
  runner = newRunner();
});

afterAll(async () => {
  await runner?.close();
  await receiver?.close();
  await cmms?.close();
});

describe('AirflowRunner against a real Airflow', () => {
  it('triggers a run once even when the same run id is triggered twice', async () => {
    const runId = uniqueRunId('idempotent');
    await runner.trigger('listar_ot_pendientes', runId, conf(runId));
    await runner.trigger('listar_ot_pendientes', runId, conf(runId));
    expect(await admin.dagRunCount('listar_ot_pendientes', runId)).toBe(1);
    const status = await statusUntilDone('listar_ot_pendientes', runId);
    expect(status.state).toBe('success');
    expect(receiver.received.filter((cb) => cb.json.run_id === runId)).toHaveLength(1);
  });

  it('reports a DAG that Airflow does not have as dag_missing', async () => {
    expect(await reason(runner.trigger('no_such_dag', uniqueRunId('missing'), conf('x')))).toBe('dag_missing');
  });

  it('reports a paused DAG as dag_paused without creating a run, and runs it once unpaused', async () => {
    const runId = uniqueRunId('paused');
    await admin.setPaused('listar_equipos', true);
    try {
      const fresh = newRunner();
      expect(await reason(fresh.trigger('listar_equipos', runId, conf(runId)))).toBe('dag_paused');
      await fresh.close();
      expect(await admin.dagRunCount('listar_equipos', runId)).toBe(0);
    } finally {
      await admin.setPaused('listar_equipos', false);
    }
    await runner.trigger('listar_equipos', runId, conf(runId));
    expect((await statusUntilDone('listar_equipos', runId)).state).toBe('success');
  });

  it('reads the result back from XCom when the run succeeded', async () => {
    const runId = uniqueRunId('status');
    await runner.trigger('consultar_estado_ot', runId, conf(runId, { numeroot: 'OT-CORR-1' }));
    const status = await statusUntilDone('consultar_estado_ot', runId);
    expect(status.state).toBe('success');
    expect(status.result).toMatchObject({
      found: true,
      order: { numeroot: 'OT-CORR-1', estado_nombre: 'En Progreso' },
    });
  });

  it('returns the workflow error of a failed run, and unknown for a run that does not exist', async () => {
    const runId = uniqueRunId('failed');
    await runner.trigger(
      'reportar_falla',
      runId,
      conf(runId, { idequipo: 987654, descripcion: 'No existe este equipo', prioridad: 'alta' }),
    );
    const status = await statusUntilDone('reportar_falla', runId);
    expect(status.state).toBe('failed');
    expect(status.error?.code).toMatch(/^cmms_/);
    expect(await runner.status('consultar_estado_ot', uniqueRunId('never'))).toEqual({ state: 'unknown' });
  });

  it('reports wrong Airflow credentials as unreachable, never as a missing DAG', async () => {
    const wrong = createAirflowRunner({
      baseUrl: env.url,
      username: env.username,
      password: 'wrong-password',
      retries: 0,
    });
    expect(await reason(wrong.trigger('listar_equipos', uniqueRunId('auth'), conf('x')))).toBe('unreachable');
    await wrong.close();
  });

  it('reports an Airflow that does not answer as unreachable after its retries', async () => {
    const dead = createAirflowRunner({
      baseUrl: 'http://127.0.0.1:9',
      username: 'u',
      password: 'p',
      retries: 2,
      retryBaseMs: 10,
    });
    expect(await reason(dead.trigger('listar_equipos', uniqueRunId('dead'), conf('x')))).toBe('unreachable');
    await dead.close();
  });
});
