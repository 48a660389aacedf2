import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../app/gateway.ts';
import { signBody } from '../../core/workflows/callback.ts';
import type { WorkflowConf, WorkflowRunner } from '../../core/workflows/types.ts';
import { webClient } from '../support/web-client.ts';

const SECRET = 'callback-secret-for-tests';
let gateway: Gateway;
const triggered: { dagId: string; runId: string; conf: WorkflowConf }[] = [];

beforeAll(async () => {
  gateway = await startGateway(
    { LOG_LEVEL: 'silent', IDENTITY_REQUIRED: 'none', CALLBACK_SECRET: SECRET },
    { port: 0, host: '127.0.0.1' },
  );
  // Hold the embedded runner's own callback back: these tests play the workflow's part.
  (gateway.runner as WorkflowRunner).trigger = async (dagId, runId, conf) => {
    triggered.push({ dagId, runId, conf });
  };
});
afterAll(async () => {
  await gateway.stop();
});

const callback = (raw: string, signature?: string) =>
  fetch(`${gateway.url}/api/bot/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature ? { 'x-omnibot-signature': signature } : {}) },
    body: raw,
  });

async function waitingConversation(user: string) {
  const client = webClient(gateway.url);
  const answer = await client.send(user, 'estado OT-CORR-1');
  const run = triggered.find((t) => t.conf.conversation_id === answer.conversation_id)!;
  return { client, answer, run };
}

const resultBody = (conversationId: string, runId: string, estado = 'Completada') =>
  JSON.stringify({
    conversation_id: conversationId,
    run_id: runId,
    dag_id: 'consultar_estado_ot',
    status: 'success',
    result: {
      found: true,
      order: {
        idordentrabajo: 56,
        numeroot: 'OT-CORR-1',
        equipo_nombre: 'Excavadora CAT 320',
        estado_nombre: estado,
        tecnico_nombre: 'Juan Pérez',
      },
    },
  });

describe('POST /api/bot/webhook (workflow callbacks)', () => {
  it('applies a correctly signed callback (emoji included: the raw body is what is signed)', async () => {
    const { client, answer, run } = await waitingConversation('cb-good');
    const raw = resultBody(answer.conversation_id, run.runId, 'Completada ✅');
    const response = await callback(raw, signBody(SECRET, raw));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, duplicate: false, status: 'idle' });
    expect(
      await client.waitForReply(answer.conversation_id, answer.conversation_token, /estado: Completada ✅/),
    ).toBeTruthy();
  });

  it('refuses a missing or bad signature with 401 and changes nothing', async () => {
    const { client, answer, run } = await waitingConversation('cb-bad');
    const raw = resultBody(answer.conversation_id, run.runId);
    for (const signature of [
      undefined,
      'sha256=deadbeef',
      signBody('wrong-secret', raw),
      signBody(SECRET, `${raw} `),
    ]) {
      const response = await callback(raw, signature);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: 'unauthorized' });
    }
    const state = await client.messages(answer.conversation_id, answer.conversation_token);
    expect(state.status).toBe('processing');
    expect(state.messages.filter((m) => m.direction === 'out')).toHaveLength(1);
  });

  it('processes a replayed callback once', async () => {
    const { client, answer, run } = await waitingConversation('cb-replay');
    const raw = resultBody(answer.conversation_id, run.runId);
    const first = await callback(raw, signBody(SECRET, raw));
    const replay = await callback(raw, signBody(SECRET, raw));
    expect(first.status).toBe(200);
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ duplicate: true });
    const { messages } = await client.messages(answer.conversation_id, answer.conversation_token);
    expect(messages.filter((m) => /se encuentra en estado/.test(m.text))).toHaveLength(1);
  });

  it('answers 409 for an unknown conversation or a stale run, and 400 for a malformed body', async () => {
    const { answer, run } = await waitingConversation('cb-stale');
    const unknown = resultBody('web:nobody-here', run.runId);
    expect((await callback(unknown, signBody(SECRET, unknown))).status).toBe(409);
    const stale = resultBody(answer.conversation_id, 'omnibot__old_run');
    const response = await callback(stale, signBody(SECRET, stale));
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ error: 'conflict' });
    const malformed = JSON.stringify({ conversation_id: answer.conversation_id, run_id: run.runId, status: 'done' });
    expect((await callback(malformed, signBody(SECRET, malformed))).status).toBe(400);
    const noResult = JSON.stringify({
      conversation_id: answer.conversation_id,
      run_id: run.runId,
      dag_id: 'x',
      status: 'success',
    });
    expect((await callback(noResult, signBody(SECRET, noResult))).status).toBe(400);
  });

  it('refuses a replayed stale callback with 409 again, at once (not held, never 200)', async () => {
    const { client, answer } = await waitingConversation('cb-stale-replay');
    const stale = resultBody(answer.conversation_id, 'omnibot__old_run');
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await callback(stale, signBody(SECRET, stale));
      expect(response.status).toBe(409);
      expect(await response.json()).toMatchObject({ error: 'conflict' });
    }
    const unknown = resultBody('web:nobody-at-all', 'omnibot__any');
    expect((await callback(unknown, signBody(SECRET, unknown))).status).toBe(409);
    expect((await callback(unknown, signBody(SECRET, unknown))).status).toBe(409);
    expect((await client.messages(answer.conversation_id, answer.conversation_token)).status).toBe('processing');
  });

  it('renders a failed workflow as a clear Spanish error', async () => {
    const { client, answer, run } = await waitingConversation('cb-failed');
    const raw = JSON.stringify({
      conversation_id: answer.conversation_id,
      run_id: run.runId,
      dag_id: run.dagId,
      status: 'failed',
      error: { code: 'cmms_auth', message: '401' },
    });
    expect((await callback(raw, signBody(SECRET, raw))).status).toBe(200);
    const text = await client.waitForReply(answer.conversation_id, answer.conversation_token, /No pude/);
    expect(text).toMatch(/no tiene acceso al sistema de mantenimiento/);
  });
});
