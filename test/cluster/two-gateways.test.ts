import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MESSAGES,
  type MessageEvent,
  openWsClient,
  postGraphql,
  SEND,
  STATE,
  type StateEvent,
  startConversation,
  subscribe,
} from '../graphql/support/clients.ts';
import { clearPrefix, uniquePrefix } from '../support/redis.ts';
import { webClient } from '../support/web-client.ts';
import {
  clusterEnv,
  eventLog,
  type GatewayPair,
  keysPerMaster,
  postCallback,
  sharedCmms,
  startPair,
} from './gateways.ts';

/**
 * Two gateway processes on a Redis Cluster (A in this process, B a child process): a user whose
 * requests land on either process sees one conversation, each message processed once, each order
 * created once, and live updates wherever they listen.
 */
const prefix = uniquePrefix('cluster-gateways');
let cmms: Awaited<ReturnType<typeof sharedCmms>>;
let pair: GatewayPair;
let onA: ReturnType<typeof webClient>;
let onB: ReturnType<typeof webClient>;

beforeAll(async () => {
  cmms = await sharedCmms();
  pair = await startPair(clusterEnv(prefix, cmms.env));
  expect(new URL(pair.a.url).port).not.toBe(new URL(pair.b.url).port);
  onA = webClient(pair.a.url);
  onB = webClient(pair.b.url);
});

afterAll(async () => {
  await pair?.stop();
  await cmms?.close();
  await clearPrefix(prefix);
});

const outbound = (messages: { direction: string; text: string }[], pattern: RegExp) =>
  messages.filter((m) => m.direction === 'out' && pattern.test(m.text));

describe('two gateway processes on a Redis Cluster', () => {
  it('completes a failure report whose turns alternate between A and B, and creates the order once', async () => {
    const user = 'cluster-report';
    await onA.send(user, 'reportar falla');
    expect((await onB.send(user, 'cat-001')).replies[0]?.text).toMatch(/Excavadora CAT 320/);
    await onA.send(user, 'Fuga de aceite hidráulico en el brazo principal');
    const priority = await onB.send(user, 'Crítica', { action: 'priority:critica' });
    expect(priority.replies[0]?.buttons?.map((b) => b.id)).toEqual(['confirm:yes', 'confirm:no']);
    const confirmed = await onA.send(user, 'Confirmar', { action: 'confirm:yes' });
    expect(confirmed.status).toBe('processing');

    const id = confirmed.conversation_id;
    const token = confirmed.conversation_token;
    const final = await onB.waitForReply(id, token, /Falla reportada/);
    expect(final).toMatch(
      /OT-CORR-CAT-001-\d{14}-\d+ para el equipo Excavadora CAT 320, con prioridad Crítica y estado Abierta/,
    );
    const { messages, status } = await onA.messages(id, token);
    expect(status).toBe('idle');
    expect(outbound(messages, /Falla reportada/)).toHaveLength(1);
    expect(messages.filter((m) => m.direction === 'in')).toHaveLength(5);
    expect(cmms.createdOrders()).toBe(1);
  });

  it('applies a workflow result called back to B, read on A; the same callback again on A is a duplicate', async () => {
    const asked = await onB.send('cluster-status', 'consultar estado de OT-CORR-1');
    expect(asked.status).toBe('processing');
    const id = asked.conversation_id;
    const token = asked.conversation_token;
    const answer = await onA.waitForReply(id, token, /se encuentra en estado/);
    expect(answer).toMatch(/OT-CORR-1 para el equipo Excavadora CAT 320 se encuentra en estado: En Progreso\./);

    const results = (await eventLog(pair.a.url, pair.env.ADMIN_TOKEN!, id)).filter((e) => e.type === 'workflow.result');
    expect(results).toHaveLength(1);
    const run = results[0]!;
    // The callback the embedded runner sent, byte for byte (same fields, same order), signed alike.
    const replay = await postCallback(pair.a.url, pair.env.CALLBACK_SECRET!, {
      conversation_id: id,
      run_id: run.runId,
      dag_id: run.dagId,
      status: run.status,
      result: run.result,
    });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ ok: true, duplicate: true });
    // The runner called back the process that started the run (B); the replay went to A.
    const applied = (logs: string[]) =>
      logs
        .filter((line) => line.includes('"msg":"workflow callback applied"') && line.includes(String(run.runId)))
        .map((line) => (JSON.parse(line) as { duplicate: boolean }).duplicate);
    expect(applied(pair.b.logs)).toEqual([false]);
    expect(applied(pair.aLogs)).toEqual([true]);

    const log = await eventLog(pair.b.url, pair.env.ADMIN_TOKEN!, id);
    expect(log.filter((e) => e.type === 'workflow.result')).toHaveLength(1);
    const { messages, status } = await onB.messages(id, token);
    expect(status).toBe('idle');
    expect(outbound(messages, /se encuentra en estado/)).toHaveLength(1);
  });

  it('answers one message_id sent to A and B at once with one answer, processed once', async () => {
    const user = 'cluster-dedup';
    const [fromA, fromB] = await Promise.all([
      onA.send(user, 'hola', { message_id: 'm-1' }),
      onB.send(user, 'hola', { message_id: 'm-1' }),
    ]);
    expect(fromA.replies).toEqual(fromB.replies);
    expect(fromA.replies[0]?.text).toMatch(/^¡Hola! Soy el asistente de mantenimiento/);
    expect([fromA.duplicate ?? false, fromB.duplicate ?? false].sort()).toEqual([false, true]);
    const { messages } = await onA.messages(fromA.conversation_id, fromA.conversation_token);
    expect(messages.filter((m) => m.direction === 'in')).toHaveLength(1);

    // A retry keyed by the Idempotency-Key header, first on B then on A: the same answer, once.
    const send = (baseUrl: string) =>
      fetch(`${baseUrl}/api/bot/message`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'k-1' },
        body: JSON.stringify({ user_id: user, message: 'listar equipos' }),
      }).then((response) => response.json() as Promise<{ duplicate?: boolean; replies: unknown[] }>);
    const first = await send(pair.b.url);
    const again = await send(pair.a.url);
    expect(again.duplicate).toBe(true);
    expect(again.replies).toEqual(first.replies);
    const after = await onB.messages(fromA.conversation_id, fromA.conversation_token);
    expect(after.messages.filter((m) => m.direction === 'in').map((m) => m.text)).toEqual(['hola', 'listar equipos']);
  });

  it('delivers to a GraphQL subscriber on A the replies of a message sent on B', async () => {
    const { conversationId, token } = await startConversation(pair.a.url);
    const ws = openWsClient(pair.a.url, token);
    try {
      const messages = subscribe<MessageEvent>(ws.client, MESSAGES, { id: conversationId }, 'messages');
      const state = subscribe<StateEvent>(ws.client, STATE, { id: conversationId }, 'conversationState');
      await state.next(); // both subscriptions are live on the bus

      const sent = await postGraphql<{ sendMessage: { status: string } }>(
        pair.b.url,
        SEND,
        { id: conversationId, text: 'consultar estado de OT-CORR-1' },
        token,
      );
      expect(sent.data?.sendMessage.status).toBe('PROCESSING');
      const answer = await messages.next((m) => m.direction === 'OUT' && m.text.includes('En Progreso'));
      expect(answer.text).toContain('OT-CORR-1');
      await state.next((s) => s.status === 'IDLE' && s.version > 1);
      expect(messages.events.map((m) => m.direction)).toEqual(['IN', 'OUT', 'OUT']);
      expect(state.events.map((s) => s.status)).toEqual(['IDLE', 'PROCESSING', 'IDLE']);
    } finally {
      await ws.client.dispose();
    }
  });

  it('kept the conversations on more than one master', async () => {
    const counts = await keysPerMaster(prefix);
    expect(counts.length).toBeGreaterThanOrEqual(3);
    expect(counts.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
  });
});
