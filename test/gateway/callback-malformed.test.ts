import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../app/gateway.ts';
import { createLogger } from '../../core/log.ts';
import { signBody } from '../../core/workflows/callback.ts';
import type { WorkflowConf, WorkflowRunner } from '../../core/workflows/types.ts';
import { mutatedBodies } from '../support/fuzz.ts';

/** Signed workflow callbacks with fields of the wrong type: 4xx with a reason, never a 5xx. */
const SECRET = 'callback-malformed-secret';
let gateway: Gateway;
const triggered = new Map<string, { dagId: string; runId: string }>();
const logs: Record<string, unknown>[] = [];

beforeAll(async () => {
  const logger = createLogger('info', {}, (line) => logs.push(JSON.parse(line)));
  gateway = await startGateway(
    { LOG_LEVEL: 'info', IDENTITY_REQUIRED: 'none', CALLBACK_SECRET: SECRET },
    { port: 0, host: '127.0.0.1', logger },
  );
  // These tests play the workflow's part: the embedded runner only records what it was asked.
  (gateway.runner as WorkflowRunner).trigger = async (dagId, runId, conf: WorkflowConf) => {
    triggered.set(conf.conversation_id, { dagId, runId });
  };
});
afterAll(() => gateway.stop());

let users = 0;
/** A conversation waiting for its `consultar_estado_ot` run, started through the runtime. */
async function waiting(): Promise<{ conversationId: string; runId: string; dagId: string }> {
  const user = `cb-malformed-${++users}`;
  const conversationId = `web:${user}`;
  await gateway.runtime.receive({
    id: `${user}-1`,
    channel: 'web',
    conversationId,
    user: { id: user },
    text: 'estado OT-CORR-1',
    receivedAt: new Date().toISOString(),
  });
  const run = triggered.get(conversationId);
  expect(run).toBeDefined();
  return { conversationId, ...run! };
}

const post = (raw: string) =>
  gateway.app.request('/api/bot/webhook', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-omnibot-signature': signBody(SECRET, raw) },
    body: raw,
  });

const success = (run: { conversationId: string; runId: string; dagId: string }) => ({
  conversation_id: run.conversationId,
  run_id: run.runId,
  dag_id: run.dagId,
  status: 'success',
  result: { found: true, order: { idordentrabajo: 1, numeroot: 'OT-CORR-1', estado_nombre: 'Abierta' } },
});
const failure = (run: { conversationId: string; runId: string; dagId: string }) => ({
  conversation_id: run.conversationId,
  run_id: run.runId,
  dag_id: run.dagId,
  status: 'failed',
  error: { code: 'cmms_error', message: 'CMMS answered 500' },
});

const unhandled = () => logs.filter((l) => l.msg === 'unhandled error' || l.level === 'error');

describe('malformed workflow callbacks', () => {
  it.each([[{ a: 1 }], [[1]], [true]])(
    'refuses error.code %j with 400, leaving the conversation waiting',
    async (code) => {
      const run = await waiting();
      const response = await post(JSON.stringify({ ...failure(run), error: { code, message: 'x' } }));
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'invalid_request', message: 'error.code must be a string' });
      expect((await gateway.runtime.getConversation(run.conversationId))?.status).toBe('processing');
    },
  );

  it('accepts a numeric error.code as its text', async () => {
    const run = await waiting();
    const response = await post(JSON.stringify({ ...failure(run), error: { code: 503, message: 'down' } }));
    expect(response.status).toBe(200);
    expect((await gateway.runtime.getConversation(run.conversationId))?.status).toBe('idle');
  });

  it('refuses a result nested deeper than 32 levels with 400', async () => {
    const run = await waiting();
    const raw = JSON.stringify({ ...success(run), result: '<deep>' }).replace(
      '"<deep>"',
      `${'['.repeat(5000)}${']'.repeat(5000)}`,
    );
    const response = await post(raw);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ message: 'body nests deeper than 32 levels' });
  });

  it('names a missing field', async () => {
    const run = await waiting();
    const { run_id: _, ...body } = success(run);
    expect(await (await post(JSON.stringify(body))).json()).toMatchObject({ message: 'run_id is required' });
  });

  it('answers every one of 160 mutated callbacks below 500 (seeded)', async () => {
    const statuses = new Map<number, number>();
    for (const [kind, make] of [
      ['success', success],
      ['failure', failure],
    ] as const) {
      // One waiting conversation per body, so mutations of the result reach the conversation machine.
      const runs = await Promise.all(Array.from({ length: 80 }, () => waiting()));
      const bodies = runs.map((run, i) => mutatedBodies(make(run), 1, (kind === 'success' ? 5_000 : 6_000) + i)[0]!);
      for (const raw of bodies) {
        const response = await post(raw);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(response.status, raw.slice(0, 300)).toBeLessThan(500);
      }
    }
    expect(statuses.get(200)).toBeGreaterThan(0);
    expect(statuses.get(400)).toBeGreaterThan(0);
    expect(unhandled()).toEqual([]);
  });
});
