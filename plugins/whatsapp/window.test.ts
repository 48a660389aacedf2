import type { Hono } from 'hono';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOutboundDispatcher } from '../../core/delivery/dispatcher.ts';
import type { OutboundDispatcher } from '../../core/delivery/types.ts';
import { createLogger } from '../../core/log.ts';
import { type PluginHost, PluginRegistry } from '../../core/plugin.ts';
import type { OutboundMessage } from '../../core/types.ts';
import {
  refusedOutsideWindow,
  templateParameters,
  templatesSent,
  type WhatsAppFake,
  whatsappFake,
} from '../../test/channels/fakes/whatsapp.ts';
import { whatsappDeliveryBody, whatsappWebhookHeaders } from '../../test/channels/whatsapp-payloads.ts';
import { createFakeRuntime, type FakeRuntime } from '../../test/contract/fake-runtime.ts';
import { fixture } from '../../test/contract/fixtures.ts';
import { mountPlugin } from '../../test/contract/plugin-host.ts';
import { type PlatformServer, startPlatformServer } from '../../test/support/platform-server.ts';
import { createWhatsAppPlugin } from './index.ts';
import { windowsOf } from './outbound.ts';

/** The 24-hour customer-service window, on one plugin with the real dispatcher and a fake runtime (echo replies). */
const SECRET = 'window-app-secret';
const WA_ID = '56912345678';
const CONVERSATION = `whatsapp:${WA_ID}`;
const HOUR = 60 * 60_000;
const ORDER = { orderNumber: 'OT-CORR-7', equipment: 'Excavadora CAT 320', state: 'Completada' };
const NOTIFICATION: OutboundMessage = {
  conversationId: CONVERSATION,
  text: 'La OT OT-CORR-7 del equipo Excavadora CAT 320 pasó a Completada.',
  kind: 'notification',
  template: ORDER,
};

let platform: PlatformServer;
let fake: WhatsAppFake;
let runtime: FakeRuntime;
let dispatcher: OutboundDispatcher;
let app: Hono;
let host: PluginHost;
const logs: Record<string, unknown>[] = [];
let sequence = 0;
// biome-ignore lint/suspicious/noExplicitAny: a recorded payload, changed field by field
type Delivery = Record<string, any>;

beforeAll(async () => {
  fake = whatsappFake({ token: 'wa-token', phoneNumberId: '106540352242922' });
  platform = await startPlatformServer([fake]);
});
afterAll(() => platform.close());
afterEach(() => dispatcher.close());

/** The channel with (default) or without the order-update template. */
function mount(templateName: string | null = 'aviso_ot') {
  platform.reset();
  fake.openWindow(WA_ID);
  logs.length = 0;
  const plugin = createWhatsAppPlugin(
    {
      verifyToken: 'verify',
      appSecret: SECRET,
      token: 'wa-token',
      phoneNumberId: '106540352242922',
      apiUrl: platform.apiUrl('whatsapp'),
      ...(templateName ? { templateName } : {}),
    },
    {},
  );
  const logger = createLogger('debug', {}, (line) => logs.push(JSON.parse(line)));
  dispatcher = createOutboundDispatcher({
    registry: new PluginRegistry().register(plugin),
    logger,
    retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 },
    deadLetter: { intervalMs: 0 },
    limits: { whatsapp: {} },
  });
  const deliver = (message: OutboundMessage) => dispatcher.dispatch(message);
  runtime = createFakeRuntime({ deliver });
  ({ app, host } = mountPlugin(plugin, { runtime, deliver, logger }));
}
beforeEach(() => mount());

/** The user writes `text`, `ago` ms before now (the platform's timestamp); resolves once everything was sent. */
async function userWrites(text: string, ago = 0): Promise<void> {
  const body = whatsappDeliveryBody(
    { waId: WA_ID, name: 'Juan Pérez' },
    { id: `wamid.window-${++sequence}`, type: 'text', text: { body: text } },
    Date.now() - ago,
  );
  const response = await app.request('/webhooks/whatsapp', {
    method: 'POST',
    headers: whatsappWebhookHeaders(SECRET, body),
    body,
  });
  expect(response.status).toBe(200);
  await settle();
}

async function settle(): Promise<void> {
  await runtime.settle();
  await dispatcher.idle();
}

async function send(message: OutboundMessage): Promise<void> {
  await dispatcher.dispatch(message);
  await settle();
}

const texts = () =>
  platform.sent('whatsapp', WA_ID).map((m) => (m.form === 'template' ? `[template] ${m.text}` : m.text));
const logged = (msg: string) => logs.filter((l) => l.msg === msg);

describe('WhatsApp outside the 24-hour window', () => {
  it('sends an order notification as the approved template, its three parameters in order', async () => {
    await send(NOTIFICATION);
    const [request] = templatesSent(platform, WA_ID);
    expect(request!.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: WA_ID,
      type: 'template',
      template: {
        name: 'aviso_ot',
        language: { code: 'es' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'OT-CORR-7' },
              { type: 'text', text: 'Excavadora CAT 320' },
              { type: 'text', text: 'Completada' },
            ],
          },
        ],
      },
    });
    // Never as free text.
    expect(platform.requests.filter((r) => r.body['type'] !== 'template')).toEqual([]);
    expect(logged('WhatsApp message sent as the approved template')).toMatchObject([
      { level: 'info', template: 'aviso_ot', kind: 'notification', reason: 'window closed' },
    ]);
    expect(await dispatcher.deadLetters()).toEqual([]);
  });

  it('flattens parameters Meta would refuse (newlines, runs of spaces, empty)', async () => {
    await send({ ...NOTIFICATION, template: { orderNumber: 'OT-1', equipment: 'Grúa\n\tHorquilla   2', state: ' ' } });
    expect(templateParameters(templatesSent(platform)[0]!)).toEqual(['OT-1', 'Grúa Horquilla 2', '—']);
  });

  it('holds a late result without template parameters and delivers it before the reply when the user writes again', async () => {
    await send({ conversationId: CONVERSATION, text: 'Falla reportada: OT-CORR-9.', kind: 'result' });
    await send({ conversationId: CONVERSATION, text: 'Ana (supervisora): ya lo reviso', kind: 'agent' });
    expect(platform.requests).toEqual([]);
    expect(logged('WhatsApp message held until the user writes again')).toMatchObject([
      { level: 'info', conversationId: CONVERSATION, kind: 'result', held: 1 },
      { level: 'info', kind: 'agent', held: 2 },
    ]);
    await userWrites('hola');
    expect(texts()).toEqual(['Falla reportada: OT-CORR-9.', 'Ana (supervisora): ya lo reviso', 'Recibido: hola']);
    // Delivered once: the next message finds nothing held.
    await userWrites('gracias');
    expect(texts()).toHaveLength(4);
  });

  it('without a template configured, holds even an order notification, then delivers it', async () => {
    mount(null);
    await send(NOTIFICATION);
    expect(platform.requests).toEqual([]);
    await userWrites('estado');
    expect(texts()).toEqual([NOTIFICATION.text, 'Recibido: estado']);
  });

  it('inside the window sends free text as before, the template never', async () => {
    await userWrites('hola');
    await send(NOTIFICATION);
    expect(texts()).toEqual(['Recibido: hola', NOTIFICATION.text]);
    expect(templatesSent(platform)).toEqual([]);
  });

  it('opens the window from the message timestamp: a message written 25 hours ago opens nothing', async () => {
    await userWrites('mensaje viejo', 25 * HOUR);
    expect(platform.requests.filter((r) => r.operation === 'messages')).toEqual([]);
    await userWrites('hola');
    expect(texts()).toEqual(['Recibido: mensaje viejo', 'Recibido: hola']);
  });

  it('drops a "processing" notice outside the window (the result follows)', async () => {
    await send({ conversationId: CONVERSATION, text: 'Procesando: estoy consultando…', kind: 'processing' });
    await userWrites('hola');
    expect(texts()).toEqual(['Recibido: hola']);
  });
});

describe('WhatsApp 131047 (the window closed although a record said open)', () => {
  it('resends the message once as the template, then drops the stale window record', async () => {
    await userWrites('hola');
    fake.closeWindow(WA_ID);
    await send(NOTIFICATION);
    expect(refusedOutsideWindow(platform, WA_ID)).toHaveLength(1);
    expect(templatesSent(platform, WA_ID).map(templateParameters)).toEqual([
      ['OT-CORR-7', 'Excavadora CAT 320', 'Completada'],
    ]);
    expect(await windowsOf(host).openedAt(WA_ID)).toBeNull();
    // The record is gone: the next free-form message is held at once, no second refusal.
    await send({ conversationId: CONVERSATION, text: 'Resultado tardío', kind: 'result' });
    expect(refusedOutsideWindow(platform, WA_ID)).toHaveLength(1);
    expect(await dispatcher.deadLetters()).toEqual([]);
  });

  it('holds a refused message without template parameters until the user writes again', async () => {
    await userWrites('hola');
    fake.closeWindow(WA_ID);
    await send({ conversationId: CONVERSATION, text: 'Resultado tardío', kind: 'result' });
    expect(refusedOutsideWindow(platform, WA_ID)).toHaveLength(1);
    expect(await dispatcher.deadLetters()).toEqual([]);
    fake.openWindow(WA_ID);
    await userWrites('sigo aquí');
    expect(texts()).toEqual(['Recibido: hola', 'Resultado tardío', 'Recibido: sigo aquí']);
  });

  it('treats a 131047 `failed` status for a sent message the same way (template, not a dead letter)', async () => {
    await userWrites('hola');
    await send(NOTIFICATION);
    const wamid = (platform.sent('whatsapp', WA_ID)[1]!.request.response as { messages: { id: string }[] }).messages[0]!
      .id;
    const failed = fixture<Delivery>('whatsapp', 'status-failed.json');
    Object.assign(failed.entry[0].changes[0].value.statuses[0], { id: wamid, recipient_id: WA_ID });
    const body = JSON.stringify(failed);
    await app.request('/webhooks/whatsapp', { method: 'POST', headers: whatsappWebhookHeaders(SECRET, body), body });
    await settle();
    expect(templatesSent(platform, WA_ID)).toHaveLength(1);
    expect(await dispatcher.deadLetters()).toEqual([]);
    expect(await windowsOf(host).openedAt(WA_ID)).toBeNull();
  });
});

describe('WhatsApp template language', () => {
  const base = { verifyToken: 'v', appSecret: 's', token: 't', phoneNumberId: '1', apiUrl: 'http://127.0.0.1:9' };

  it('uses WHATSAPP_TEMPLATE_LANGUAGE for the template', async () => {
    platform.reset();
    const plugin = createWhatsAppPlugin(
      { ...base, token: 'wa-token', phoneNumberId: '106540352242922', apiUrl: platform.apiUrl('whatsapp') },
      { WHATSAPP_TEMPLATE_NAME: 'aviso_ot', WHATSAPP_TEMPLATE_LANGUAGE: 'es_MX' },
    );
    mountPlugin(plugin);
    await plugin.send(NOTIFICATION);
    expect(templatesSent(platform)[0]!.body).toMatchObject({
      template: { name: 'aviso_ot', language: { code: 'es_MX' } },
    });
  });
});
