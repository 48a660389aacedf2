import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../app/gateway.ts';
import { fixtureText } from '../contract/fixtures.ts';
import { type PlatformServer, type SentMessage, startPlatformServer } from '../support/platform-server.ts';
import { clearPrefix } from '../support/redis.ts';
import { whatsappUser } from './drivers.ts';
import { reportFailure, workOrderStatus } from './flows.ts';
import { channelFakes, SECRETS, startChannelGateway } from './gateway.ts';
import { whatsappWebhookHeaders } from './whatsapp-payloads.ts';

let platform: PlatformServer;
let gateway: Gateway;
let prefix: string;

beforeAll(async () => {
  platform = await startPlatformServer(channelFakes());
  ({ gateway, prefix } = await startChannelGateway(platform));
});
afterAll(async () => {
  await gateway?.stop();
  await platform?.close();
  if (prefix) await clearPrefix(prefix);
});

const user = (waId: string, name: string) =>
  whatsappUser({ gatewayUrl: gateway.url, platform, appSecret: SECRETS.whatsappAppSecret, waId, name });

const postSigned = (body: string) =>
  fetch(`${gateway.url}/webhooks/whatsapp`, {
    method: 'POST',
    headers: whatsappWebhookHeaders(SECRETS.whatsappAppSecret, body),
    body,
  });

describe('WhatsApp end to end', () => {
  it('answers the webhook handshake', async () => {
    const res = await fetch(
      `${gateway.url}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${SECRETS.whatsappVerifyToken}&hub.challenge=8317`,
    );
    expect(await res.text()).toBe('8317');
  });

  it('a user reports a failure (priority list, confirmation buttons) and gets the new work order', async () => {
    const juan = user('56911110001', 'Juan Pérez');
    const order = await reportFailure(juan, 'list');
    expect(order).toMatch(/^OT-CORR-/);
  });

  it('a user asks for the status of OT-CORR-1', async () => {
    await workOrderStatus(user('56911110002', 'María Soto'));
  });

  it('a replayed delivery is answered once', async () => {
    // Written now (the recorded timestamp is too old): the answers go inside the 24-hour window.
    const body = fixtureText('whatsapp', 'text.json').replace(
      /"timestamp": "\d+"/,
      `"timestamp": "${Math.floor(Date.now() / 1000)}"`,
    );
    expect((await postSigned(body)).status).toBe(200);
    expect((await postSigned(body)).status).toBe(200);
    const juan = user('56912345678', 'Juan Pérez');
    await juan.next(/^Procesando/);
    await juan.next(/La orden de trabajo OT-CORR-1 .*En Progreso/);
    await juan.say('cancelar');
    await juan.next(/No hay nada en curso que cancelar/);
    // "procesando", the answer, then the reply to "cancelar": nothing from the replay.
    expect(platform.sent('whatsapp', '56912345678').map((m) => m.text)).toHaveLength(3);
  });

  it('records delivery statuses in the conversation and answers unknown types politely', async () => {
    const ana = user('56911110003', 'Ana');
    await ana.say('hola');
    await ana.next(/Soy el asistente de mantenimiento/);
    const unsupported = JSON.parse(fixtureText('whatsapp', 'unsupported.json'));
    unsupported.entry[0].changes[0].value.messages[0].from = '56911110003';
    expect((await postSigned(JSON.stringify(unsupported))).status).toBe(200);
    await ana.next(/Por ahora solo puedo leer mensajes de texto/);

    const read = JSON.parse(fixtureText('whatsapp', 'status-read.json'));
    read.entry[0].changes[0].value.statuses[0].recipient_id = '56911110003';
    expect((await postSigned(JSON.stringify(read))).status).toBe(200);
    await gateway.runtime.drain(5_000);
    const events = await gateway.store.readEvents('whatsapp:56911110003');
    expect(events.map((e) => e.event)).toContainEqual(
      expect.objectContaining({ type: 'delivery.status', status: 'read' }),
    );
  });

  it('a 429 is retried after Retry-After and the message arrives once', async () => {
    platform.rateLimitNext('whatsapp', 1);
    const luis = user('56911110004', 'Luis');
    await luis.say('ayuda');
    const reply = await luis.next(/Esto es lo que puedo hacer/);
    const attempts = platform.requests.filter((r) => r.platform === 'whatsapp' && r.body['to'] === '56911110004');
    expect(attempts.map((r) => r.status)).toEqual([429, 200]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(platform.sent('whatsapp', '56911110004')).toEqual([reply]);
  });

  /** A `failed` status for a message the platform accepted, with WhatsApp's error `code`. */
  const failedStatus = (message: SentMessage, recipient: string, code: number) => {
    const wamid = (message.request.response as { messages: { id: string }[] }).messages[0]!.id;
    const failed = JSON.parse(fixtureText('whatsapp', 'status-failed.json'));
    const status = failed.entry[0].changes[0].value.statuses[0];
    Object.assign(status, { id: wamid, recipient_id: recipient });
    status.errors[0].code = code;
    return JSON.stringify(failed);
  };

  it('a message WhatsApp later reports as failed (131026, undeliverable) is listed in the dead letters', async () => {
    const rosa = user('56911110005', 'Rosa');
    await rosa.say('hola');
    const greeting = await rosa.next(/Soy el asistente de mantenimiento/);
    const failed = failedStatus(greeting, '56911110005', 131026);
    expect((await postSigned(failed)).status).toBe(200);
    expect((await postSigned(failed)).status).toBe(200);
    await gateway.runtime.drain(5_000);
    // What `GET /admin/delivery/dead-letters` lists; the repeated status adds nothing.
    const dead = (await gateway.dispatcher.deadLetters(500)).filter((d) => d.conversationId === 'whatsapp:56911110005');
    expect(dead).toMatchObject([
      { code: 'delivery_failed', platformCode: 131026, retryable: false, message: { text: greeting.text } },
    ]);
  });

  it('a message WhatsApp later refuses with 131047 (window closed) waits for the user to write again', async () => {
    const pablo = user('56911110006', 'Pablo');
    await pablo.say('hola');
    const greeting = await pablo.next(/Soy el asistente de mantenimiento/);
    expect((await postSigned(failedStatus(greeting, '56911110006', 131047))).status).toBe(200);
    await gateway.runtime.drain(5_000);
    await gateway.dispatcher.idle();
    expect(await gateway.dispatcher.deadLetters(500)).not.toContainEqual(
      expect.objectContaining({ conversationId: 'whatsapp:56911110006' }),
    );
    await pablo.say('ayuda');
    // The held greeting first, then the answer to "ayuda".
    const again = await pablo.next(/Soy el asistente de mantenimiento/);
    await pablo.next(/Esto es lo que puedo hacer/);
    expect(again.text).toBe(greeting.text);
    expect(platform.sent('whatsapp', '56911110006')).toHaveLength(3);
  });

  it('rejects an unsigned delivery', async () => {
    const res = await fetch(`${gateway.url}/webhooks/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: fixtureText('whatsapp', 'text.json'),
    });
    expect(res.status).toBe(401);
  });
});
