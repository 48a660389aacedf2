import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../app/gateway.ts';
import { webClient } from '../support/web-client.ts';

let gateway: Gateway;
let client: ReturnType<typeof webClient>;
beforeAll(async () => {
  gateway = await startGateway(
    { LOG_LEVEL: 'silent', IDENTITY_REQUIRED: 'none', ADMIN_TOKEN: 'admin-secret-token' },
    { port: 0, host: '127.0.0.1' },
  );
  client = webClient(gateway.url);
});
afterAll(async () => {
  await gateway.stop();
});

const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(`${gateway.url}/api/bot/message`, { method: 'POST', headers, body });

describe('web channel on embedded defaults', () => {
  it('greets in Spanish at once', async () => {
    const answer = await client.send('test_user_123', 'hola');
    expect(answer.conversation_id).toBe('web:test_user_123');
    expect(answer.replies[0]?.text).toMatch(/^¡Hola! Soy el asistente de mantenimiento/);
    expect(answer.status).toBe('idle');
  });

  it('answers "procesando" at once and delivers the work order status when the workflow calls back', async () => {
    const answer = await client.send('u-status', 'consultar estado de OT-CORR-1');
    expect(answer.status).toBe('processing');
    expect(answer.replies[0]?.text).toMatch(/Procesando/);
    const final = await client.waitForReply(
      answer.conversation_id,
      answer.conversation_token,
      /se encuentra en estado/,
    );
    expect(final).toMatch(
      /La orden de trabajo OT-CORR-1 para el equipo Excavadora CAT 320 se encuentra en estado: En Progreso\./,
    );
    const after = await client.messages(answer.conversation_id, answer.conversation_token);
    expect(after.status).toBe('idle');
  });

  it('completes a failure report and creates the order in the CMMS', async () => {
    const user = 'u-report';
    await client.send(user, 'reportar falla');
    expect((await client.send(user, 'cat-001')).replies[0]?.text).toMatch(/Excavadora CAT 320/);
    await client.send(user, 'Fuga de aceite hidráulico en el brazo principal');
    const priority = await client.send(user, 'Crítica', { action: 'priority:critica' });
    expect(priority.replies[0]?.buttons?.map((b) => b.id)).toEqual(['confirm:yes', 'confirm:no']);
    const confirmed = await client.send(user, 'Confirmar', { action: 'confirm:yes' });
    expect(confirmed.status).toBe('processing');
    const final = await client.waitForReply(confirmed.conversation_id, confirmed.conversation_token, /Falla reportada/);
    expect(final).toMatch(
      /OT-CORR-CAT-001-\d{14}-\d+ para el equipo Excavadora CAT 320, con prioridad Crítica y estado Abierta/,
    );
  });

  it('lists the equipment and the pending orders', async () => {
    const list = await client.send('u-list', 'listar equipos');
    const equipment = await client.waitForReply(list.conversation_id, list.conversation_token, /Equipos registrados/);
    expect(equipment).toMatch(/Equipos registrados \(8\)/);
    expect(equipment).toMatch(/CAT-001 — Excavadora CAT 320 \(Operativo, Faena Norte\)/);
    const pending = await client.send('u-list', 'OT pendientes');
    const orders = await client.waitForReply(pending.conversation_id, pending.conversation_token, /pendientes \(/);
    expect(orders).toMatch(/OT-CORR-1 — Excavadora CAT 320 — En Progreso — Alta/);
    expect(orders).not.toMatch(/OT-CORR-2 /); // Completada
  });

  it('answers a retried delivery (same message_id) with the first answer, processed once', async () => {
    const first = await client.send('u-retry', 'hola', { message_id: 'm-1' });
    const again = await client.send('u-retry', 'hola', { message_id: 'm-1' });
    expect(again.duplicate).toBe(true);
    expect(again.replies).toEqual(first.replies);
    const { messages } = await client.messages(first.conversation_id, first.conversation_token);
    expect(messages.filter((m) => m.direction === 'in')).toHaveLength(1);
  });

  it('answers once a retry of a message stored before the web parser moved (its raw id, with spaces)', async () => {
    // What the REST API before the channel refactor handed the runtime: the client's id as is.
    const stored = await gateway.runtime.receive({
      id: 'pedido 17',
      channel: 'web',
      conversationId: 'web:u-deployed',
      user: { id: 'u-deployed' },
      text: 'hola',
      receivedAt: new Date().toISOString(),
    });
    const retried = await client.send('u-deployed', 'hola', { message_id: 'pedido 17' });
    expect(retried.duplicate).toBe(true);
    expect(retried.replies.map((r) => r.text)).toEqual(stored.replies.map((r) => r.text));
    const { messages } = await client.messages(retried.conversation_id, retried.conversation_token);
    expect(messages.filter((m) => m.direction === 'in')).toHaveLength(1);
  });

  it('takes the Idempotency-Key header as the message id when the body has none', async () => {
    const send = () =>
      post(JSON.stringify({ user_id: 'u-retry-header', message: 'hola' }), {
        'content-type': 'application/json',
        'idempotency-key': 'k-1',
      }).then((response) => response.json() as Promise<{ duplicate?: boolean; replies: unknown[] }>);
    const first = await send();
    const again = await send();
    expect(again.duplicate).toBe(true);
    expect(again.replies).toEqual(first.replies);
  });

  it('refuses bad input with a JSON reason', async () => {
    const cases: [string, Record<string, string> | undefined, number, RegExp][] = [
      ['{not json', undefined, 400, /not valid JSON/],
      ['[]', undefined, 400, /JSON object/],
      ['', undefined, 400, /empty/],
      [JSON.stringify({ message: 'hola' }), undefined, 400, /user_id is required/],
      [JSON.stringify({ user_id: 'x' }), undefined, 400, /message is required/],
      [JSON.stringify({ user_id: 'x', message: 42 }), undefined, 400, /message must be a string/],
      [JSON.stringify({ user_id: 'a b', message: 'hola' }), undefined, 400, /user_id may only/],
      [JSON.stringify({ user_id: 'x', message: 'a'.repeat(5000) }), undefined, 400, /longer than 4096/],
      [JSON.stringify({ user_id: 'x', message: 'a'.repeat(70_000) }), undefined, 413, /exceeds 65536 bytes/],
      // A retry id that cannot be used is refused, never replaced by a random one (the retry would run twice).
      [JSON.stringify({ user_id: 'x', message: 'hola', message_id: { a: 1 } }), undefined, 400, /message_id must/],
      [JSON.stringify({ user_id: 'x', message: 'hola', message_id: 7 }), undefined, 400, /message_id must/],
      [JSON.stringify({ user_id: 'x', message: 'hola', message_id: '' }), undefined, 400, /message_id must/],
      [
        JSON.stringify({ user_id: 'x', message: 'hola', message_id: 'm'.repeat(201) }),
        undefined,
        400,
        /longer than 200/,
      ],
      [
        JSON.stringify({ user_id: 'x', message: 'hola' }),
        { 'content-type': 'application/json', 'idempotency-key': '' },
        400,
        /Idempotency-Key header must/,
      ],
    ];
    for (const [body, headers, status, reason] of cases) {
      const response = await post(body, headers);
      expect(response.status, body.slice(0, 40)).toBe(status);
      const json = (await response.json()) as { error: string; message: string };
      expect(json.message).toMatch(reason);
    }
    // The gateway is still answering.
    expect((await client.send('u-after-bad', 'hola')).replies).toHaveLength(1);
  });

  it('guards the transcript with the conversation token', async () => {
    const mine = await client.send('u-private', 'hola');
    const other = await client.send('u-other', 'hola');
    const url = `${gateway.url}/api/bot/conversations/web:u-private/messages`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer nonsense.token' } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${other.conversation_token}` } })).status).toBe(403);
    expect((await fetch(url, { headers: { authorization: `Bearer ${mine.conversation_token}` } })).status).toBe(200);
    expect((await fetch(url, { headers: { authorization: 'Bearer admin-secret-token' } })).status).toBe(200);
  });

  it('requires X-Api-Key on the REST route when WEB_API_KEY is set', async () => {
    const locked = await startGateway(
      { LOG_LEVEL: 'silent', IDENTITY_REQUIRED: 'none', WEB_API_KEY: 'backend-key' },
      { port: 0, host: '127.0.0.1' },
    );
    try {
      const send = (headers: Record<string, string>) =>
        fetch(`${locked.url}/api/bot/message`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ user_id: 'k', message: 'hola' }),
        });
      expect((await send({})).status).toBe(401);
      expect((await send({ 'x-api-key': 'wrong' })).status).toBe(401);
      expect((await send({ 'x-api-key': 'backend-key' })).status).toBe(200);
    } finally {
      await locked.stop();
    }
  });

  it('reports health and readiness', async () => {
    expect(await (await fetch(`${gateway.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await (await fetch(`${gateway.url}/nope`)).json()).toMatchObject({ error: 'not_found' });
  });
});
