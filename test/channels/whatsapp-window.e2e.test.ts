import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../app/gateway.ts';
import type { OutboundMessage } from '../../core/types.ts';
import { type PlatformServer, startPlatformServer } from '../support/platform-server.ts';
import { clearPrefix, connectRedis } from '../support/redis.ts';
import { whatsappUser } from './drivers.ts';
import { telegramFake } from './fakes/telegram.ts';
import {
  readCalls,
  refusedOutsideWindow,
  templateParameters,
  templatesSent,
  type WhatsAppFake,
  whatsappFake,
} from './fakes/whatsapp.ts';
import { SECRETS, startChannelGateway } from './gateway.ts';
import { whatsappDeliveryBody, whatsappWebhookHeaders } from './whatsapp-payloads.ts';

/**
 * The 24-hour customer-service window through the real gateway: windows and held messages in Redis
 * (`host.channelState`), replies through the dispatcher, the approved template configured.
 */
let platform: PlatformServer;
let whatsapp: WhatsAppFake;
let gateway: Gateway;
let prefix: string;
let redis: Redis;

beforeAll(async () => {
  whatsapp = whatsappFake({ token: SECRETS.whatsappToken, phoneNumberId: SECRETS.whatsappPhoneNumberId });
  platform = await startPlatformServer([whatsapp, telegramFake({ token: SECRETS.telegramToken })]);
  ({ gateway, prefix } = await startChannelGateway(platform, {
    WHATSAPP_TEMPLATE_NAME: 'cambio_estado_ot',
    WHATSAPP_TEMPLATE_LANGUAGE: 'es',
  }));
  redis = connectRedis();
});
afterAll(async () => {
  await gateway?.stop();
  await platform?.close();
  await redis?.quit();
  if (prefix) await clearPrefix(prefix);
});

const user = (waId: string, name: string) =>
  whatsappUser({ gatewayUrl: gateway.url, platform, appSecret: SECRETS.whatsappAppSecret, waId, name });

/** A user who wrote "hola" and got the greeting: their 24-hour window is open. */
async function greetedUser(waId: string, name: string) {
  const greeted = user(waId, name);
  await greeted.say('hola');
  await greeted.next(/Soy el asistente de mantenimiento/);
  return greeted;
}

const windowKey = (waId: string) => `${prefix}channel:whatsapp:window:${waId}`;

/** 24 hours pass: WhatsApp refuses free-form messages, and the gateway's record has expired. */
async function dayPasses(waId: string): Promise<void> {
  whatsapp.closeWindow(waId);
  await redis.del(windowKey(waId));
}

/** The notification that order `number` was completed, for the user `waId`, with its template parameters. */
const completedOrder = (waId: string, number: string): OutboundMessage => ({
  conversationId: `whatsapp:${waId}`,
  text: `La OT ${number} del equipo Excavadora CAT 320 pasó a Completada.`,
  kind: 'notification',
  template: { orderNumber: number, equipment: 'Excavadora CAT 320', state: 'Completada' },
});

/** Something the assistant says to the user `waId` that is not an order notification (no template). */
const lateResult = (waId: string, text: string): OutboundMessage => ({
  conversationId: `whatsapp:${waId}`,
  text,
  kind: 'result',
});

/** Hands a message to the gateway's dispatcher, as the runtime would, and waits until it was sent or held. */
async function dispatch(message: OutboundMessage): Promise<void> {
  await gateway.dispatcher.dispatch(message);
  await gateway.runtime.drain(5_000);
  await gateway.dispatcher.idle();
}

describe('WhatsApp 24-hour window end to end', () => {
  it('marks a user message read with the typing indicator, by its wamid', async () => {
    const body = whatsappDeliveryBody(
      { waId: '56922220001', name: 'Eva' },
      { id: 'wamid.window-typing-1', type: 'text', text: { body: 'hola' } },
    );
    const res = await fetch(`${gateway.url}/webhooks/whatsapp`, {
      method: 'POST',
      headers: whatsappWebhookHeaders(SECRETS.whatsappAppSecret, body),
      body,
    });
    expect(res.status).toBe(200);
    const call = await platform.waitFor(
      () => readCalls(platform).find((r) => r.body['message_id'] === 'wamid.window-typing-1'),
      8_000,
      'the read + typing call',
    );
    expect(call.body).toEqual({
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: 'wamid.window-typing-1',
      typing_indicator: { type: 'text' },
    });
    expect(call.headers.authorization).toBe(`Bearer ${SECRETS.whatsappToken}`);
    await platform.waitForMessage('whatsapp', '56922220001', (m) => /Soy el asistente/.test(m.text));
  });

  it('keeps the window in Redis for 24 hours from the message', async () => {
    const ana = await greetedUser('56922220002', 'Ana');
    const ttlMs = await redis.pttl(windowKey(ana.address));
    expect(ttlMs).toBeGreaterThan(23 * 60 * 60_000);
    expect(ttlMs).toBeLessThanOrEqual(24 * 60 * 60_000);
  });

  it('outside the window, an order notification goes as the approved template with its three parameters', async () => {
    const luis = await greetedUser('56922220003', 'Luis');
    await dayPasses(luis.address);
    await dispatch(completedOrder(luis.address, 'OT-CORR-41'));
    const templates = templatesSent(platform, luis.address);
    expect(templates.map(templateParameters)).toEqual([['OT-CORR-41', 'Excavadora CAT 320', 'Completada']]);
    expect(templates[0]!.body).toMatchObject({ template: { name: 'cambio_estado_ot', language: { code: 'es' } } });
    // Never tried as free text.
    expect(refusedOutsideWindow(platform, luis.address)).toEqual([]);
  });

  it('holds a late result without template parameters and delivers it before the reply when the user writes again', async () => {
    const rosa = await greetedUser('56922220004', 'Rosa');
    await dayPasses(rosa.address);
    await dispatch(lateResult(rosa.address, 'Resultado de tu consulta: la OT OT-CORR-1 está En Progreso.'));
    expect(platform.sent('whatsapp', rosa.address)).toHaveLength(1);
    expect(refusedOutsideWindow(platform, rosa.address)).toEqual([]);

    whatsapp.openWindow(rosa.address);
    await rosa.say('ayuda');
    await rosa.next(/Resultado de tu consulta/);
    await rosa.next(/Esto es lo que puedo hacer/);
    const texts = platform.sent('whatsapp', rosa.address).map((m) => m.text);
    expect(texts).toHaveLength(3);
    expect(texts[1]).toMatch(/^Resultado de tu consulta/);
  });

  it('a 131047 despite a recorded window resends the notification once as the template and forgets the record', async () => {
    const beto = await greetedUser('56922220005', 'Beto');
    // WhatsApp's window closed, the gateway's record did not (a stale record).
    whatsapp.closeWindow(beto.address);
    await dispatch(completedOrder(beto.address, 'OT-CORR-42'));
    expect(refusedOutsideWindow(platform, beto.address)).toHaveLength(1);
    expect(templatesSent(platform, beto.address).map(templateParameters)).toEqual([
      ['OT-CORR-42', 'Excavadora CAT 320', 'Completada'],
    ]);
    expect(await redis.exists(windowKey(beto.address))).toBe(0);
    expect(
      (await gateway.dispatcher.deadLetters(500)).filter((d) => d.conversationId === 'whatsapp:56922220005'),
    ).toEqual([]);
  });

  it('"borrar mis datos" also drops the user\'s held messages', async () => {
    const olga = await greetedUser('56922220006', 'Olga');
    await dayPasses(olga.address);
    await dispatch(lateResult(olga.address, 'Un aviso retenido.'));
    const heldKey = `${prefix}channel:whatsapp:held:${olga.address}`;
    expect(await redis.llen(heldKey)).toBe(1);

    whatsapp.openWindow(olga.address);
    await gateway.runtime.erase('whatsapp:56922220006');
    expect(await redis.exists(heldKey)).toBe(0);
  });
});
