/**
 * A turn that cannot be done right now answers 503 with Retry-After through the app's error handler
 * (never a 500 without it): the sender (a platform's redelivery, a client) knows when to try again.
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { WorkflowUnavailableError } from '../../core/errors.ts';
import { errorHandler } from '../../core/http/errors.ts';
import { silentLogger } from '../../core/log.ts';
import type { ConversationRuntime } from '../../core/runtime/types.ts';
import { createMemoryStore } from '../../core/store/memory-store.ts';
import { createAirflowRunner } from '../../core/workflows/airflow-runner.ts';
import { makeRuntime, message, storeAsMachineVersion } from '../support/runtime-harness.ts';

/** An app whose one route hands a user's text to the runtime, as a webhook does. */
function appFor(runtime: ConversationRuntime) {
  const app = new Hono();
  app.onError(errorHandler(silentLogger));
  app.post('/:user', async (c) => c.json(await runtime.receive(message(c.req.param('user'), await c.req.text()))));
  return app;
}

const send = (app: Hono, user: string, text: string) => app.request(`/${user}`, { method: 'POST', body: text });

describe('turns refused for now answer 503 with Retry-After', () => {
  it('a conversation whose every commit loses its race (busy)', async () => {
    const store = createMemoryStore();
    const { runtime } = makeRuntime({ ...store, commit: async () => null }, { maxCommitAttempts: 2 });
    const response = await send(appFor(runtime), 'ana', 'hola');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toMatchObject({ error: 'busy' });
  });

  it('a conversation saved by a newer machine version (machine_version_newer)', async () => {
    const store = createMemoryStore();
    const { runtime } = makeRuntime(store);
    await runtime.receive(message('nico', 'hola'));
    await storeAsMachineVersion(store, 'web:nico', 99);
    const response = await send(appFor(runtime), 'nico', 'hola');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.json()).toMatchObject({ error: 'machine_version_newer' });
  });

  it('a turn whose invoked actor outlasts the turn’s wait (actorTimeoutMs ≥ busyTimeoutMs)', async () => {
    const { runtime } = makeRuntime(createMemoryStore(), {
      cmms: { findEquipment: () => new Promise(() => {}) },
      actorTimeoutMs: 1_000,
      busyTimeoutMs: 50,
    });
    const app = appFor(runtime);
    expect((await send(app, 'lara', 'reportar falla')).status).toBe(200);
    const response = await send(app, 'lara', 'CAT-001');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(await response.json()).toMatchObject({ error: 'busy', details: { waitedMs: 50 } });
  });

  it('a workflow that cannot be started: soon when Airflow is unreachable, later when a person must act', async () => {
    const runner = createAirflowRunner({ baseUrl: 'http://127.0.0.1:1', retries: 0 });
    const app = new Hono();
    app.onError(errorHandler(silentLogger));
    app.post('/trigger', async (c) => {
      await runner.trigger('listar_equipos', 'r1', {
        conversation_id: 'web:1',
        run_id: 'r1',
        callback_url: 'http://127.0.0.1:1/api/bot/webhook',
        params: {},
      });
      return c.body(null, 204);
    });
    app.post('/paused', () => {
      throw new WorkflowUnavailableError('dag_paused', 'Airflow DAG listar_equipos is paused');
    });
    const unreachable = await app.request('/trigger', { method: 'POST' });
    expect(unreachable.status).toBe(503);
    expect(unreachable.headers.get('retry-after')).toBe('5');
    expect(await unreachable.json()).toMatchObject({
      error: 'workflow_unavailable',
      details: { reason: 'unreachable' },
    });
    const paused = await app.request('/paused', { method: 'POST' });
    expect(paused.status).toBe(503);
    expect(paused.headers.get('retry-after')).toBe('60');
    await runner.close();
  });
});
