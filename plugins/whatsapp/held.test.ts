import type { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChannelState } from '../../core/delivery/channel-state.ts';
import { createOutboundDispatcher } from '../../core/delivery/dispatcher.ts';
import type { OutboundDispatcher } from '../../core/delivery/types.ts';
import { createLogger } from '../../core/log.ts';
import { type ChannelPlugin, type PluginHost, PluginRegistry } from '../../core/plugin.ts';
import type { OutboundMessage } from '../../core/types.ts';
import { refusedOutsideWindow, type WhatsAppFake, whatsappFake } from '../../test/channels/fakes/whatsapp.ts';
import { whatsappDeliveryBody, whatsappWebhookHeaders } from '../../test/channels/whatsapp-payloads.ts';
import { createFakeRuntime, type FakeRuntime } from '../../test/contract/fake-runtime.ts';
import { fixture } from '../../test/contract/fixtures.ts';
import { mountPlugin } from '../../test/contract/plugin-host.ts';
import { useSharedChannelState } from '../../test/support/shared-channel-state.ts';
import { deliverHeld } from './held.ts';
import { createWhatsAppPlugin } from './index.ts';
import { windowsOf } from './outbound.ts';
import { WINDOW } from './types.ts';

/**
 * Messages held outside the 24-hour window, kept in Redis (the channel state every process shares)
 * until they are handed to the dispatcher: gateway "processes" here are plugins with their own
 * dispatcher and fake runtime (echo replies) on the same Redis state.
 */
const SECRET = 'held-app-secret';
const PHONE_NUMBER_ID = '106540352242922';
const WA_ID = '56933330001';
const CONVERSATION = `whatsapp:${WA_ID}`;

interface GatewayProcess {
  plugin: ChannelPlugin;
  dispatcher: OutboundDispatcher;
  runtime: FakeRuntime;
  app: Hono;
  host: PluginHost;
}

const fake: WhatsAppFake = whatsappFake({ token: 'wa-token', phoneNumberId: PHONE_NUMBER_ID });
const shared = useSharedChannelState('wa-held', [fake]);
let state: ChannelState;
const processes: GatewayProcess[] = [];
const logs: Record<string, unknown>[] = [];
let sequence = 0;

beforeEach(() => {
  fake.openWindow(WA_ID);
  logs.length = 0;
  state = shared.state('whatsapp');
});
afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.dispatcher.close(1000)));
});

/** One gateway process: the plugin (no template) on the shared Redis state, its dispatcher, a fake runtime. */
function startProcess(deliver?: (message: OutboundMessage) => Promise<void>): GatewayProcess {
  const plugin = createWhatsAppPlugin(
    {
      verifyToken: 'verify',
      appSecret: SECRET,
      token: 'wa-token',
      phoneNumberId: PHONE_NUMBER_ID,
      apiUrl: shared.platform.apiUrl('whatsapp'),
    },
    {},
  );
  const logger = createLogger('debug', {}, (line) => logs.push(JSON.parse(line)));
  const dispatcher = createOutboundDispatcher({
    registry: new PluginRegistry().register(plugin),
    logger,
    retry: { maxAttempts: 1, baseDelayMs: 5, maxDelayMs: 5 },
    deadLetter: { intervalMs: 0, firstRetryDelayMs: 0 },
    limits: { whatsapp: {} },
  });
  const toDispatcher = (message: OutboundMessage) => dispatcher.dispatch(message);
  const runtime = createFakeRuntime({ deliver: toDispatcher });
  const { app, host } = mountPlugin(plugin, { runtime, deliver: deliver ?? toDispatcher, logger, channelState: state });
  const started = { plugin, dispatcher, runtime, app, host };
  processes.push(started);
  return started;
}

/** Posts a signed webhook `body` to `process`; resolves once its turn and sends are done. */
async function webhook(process: GatewayProcess, body: string): Promise<void> {
  const response = await process.app.request('/webhooks/whatsapp', {
    method: 'POST',
    headers: whatsappWebhookHeaders(SECRET, body),
    body,
  });
  expect(response.status).toBe(200);
  await process.runtime.settle();
  await process.dispatcher.idle();
}

/** The user writes `text` to `process`'s webhook; resolves once its turn and sends are done. */
async function userWrites(process: GatewayProcess, text: string): Promise<void> {
  const body = whatsappDeliveryBody(
    { waId: WA_ID, name: 'Juan Pérez' },
    { id: `wamid.held-${++sequence}`, type: 'text', text: { body: text } },
  );
  await webhook(process, body);
}

/** WhatsApp reports the message `wamid` failed with 131047 (the window had closed). */
async function refusedLater(process: GatewayProcess, wamid: string): Promise<void> {
  // biome-ignore lint/suspicious/noExplicitAny: a recorded payload, changed field by field
  const failed = fixture<Record<string, any>>('whatsapp', 'status-failed.json');
  Object.assign(failed.entry[0].changes[0].value.statuses[0], { id: wamid, recipient_id: WA_ID });
  await webhook(process, JSON.stringify(failed));
}

const message = (text: string, kind: OutboundMessage['kind'] = 'result'): OutboundMessage => ({
  conversationId: CONVERSATION,
  text,
  kind,
});
const texts = () => shared.platform.sent('whatsapp', WA_ID).map((m) => m.text);
const heldList = () => shared.redis.lrange(`${shared.prefix}channel:whatsapp:held:${WA_ID}`, 0, -1);
const logged = (msg: string) => logs.filter((l) => l.msg === msg);

describe('held WhatsApp messages survive until delivered', () => {
  it('a process that dies while handing them on loses none: the next message of the user gets them all', async () => {
    let handedOn = 0;
    // Its dispatcher never finishes: the process dies with the messages handed on but not delivered.
    const dying = startProcess(async () => {
      handedOn += 1;
      await new Promise<never>(() => {});
    });
    expect(await dying.plugin.send(message('Falla reportada: OT-CORR-4.'))).toEqual({ held: true });
    expect(await dying.plugin.send(message('Ana (supervisora): la reviso', 'agent'))).toEqual({ held: true });
    const windows = windowsOf(dying.host);
    await windows.opened(WA_ID, Date.now());
    void deliverHeld(dying.host, windows, CONVERSATION);
    await vi.waitFor(() => expect(handedOn).toBe(1), { timeout: 8_000, interval: 20 });
    expect(await heldList()).toHaveLength(2);

    // Its claim runs out (WINDOW.heldClaimMs); another process gets the user's next message.
    await shared.redis.del(`${shared.prefix}channel:whatsapp:held-claim:${WA_ID}`);
    const next = startProcess();
    await userWrites(next, 'hola');
    expect(texts()).toEqual(['Falla reportada: OT-CORR-4.', 'Ana (supervisora): la reviso', 'Recibido: hola']);
    expect(await heldList()).toEqual([]);
  });

  it('two processes answering the user at once deliver each held message once, before either answer', async () => {
    const first = startProcess();
    const second = startProcess();
    for (const text of ['uno', 'dos', 'tres']) await first.plugin.send(message(text));
    await Promise.all([userWrites(first, 'hola'), userWrites(second, 'sigo aquí')]);
    const seen = texts();
    expect(seen.slice(0, 3)).toEqual(['uno', 'dos', 'tres']);
    expect(seen.slice(3).sort()).toEqual(['Recibido: hola', 'Recibido: sigo aquí']);
    expect(await heldList()).toEqual([]);
  });

  it('a message held while the others are handed on stays, and goes right after them', async () => {
    const process = startProcess(async (outbound) => {
      // Another process, which found the window closed a moment ago, holds one more meanwhile.
      if (outbound.text === 'uno') await windowsOf(process.host).hold(WA_ID, message('tarde'));
      await process.dispatcher.dispatch(outbound);
    });
    await process.plugin.send(message('uno'));
    await process.plugin.send(message('dos'));
    await userWrites(process, 'hola');
    expect(texts()).toEqual(['uno', 'dos', 'tarde', 'Recibido: hola']);
    expect(await heldList()).toEqual([]);
  });
});

describe('the held list per user', () => {
  it(`keeps the newest ${WINDOW.maxDelivered}: each message beyond drops the oldest, with a warning`, async () => {
    const process = startProcess();
    const total = WINDOW.maxDelivered + 3;
    for (let i = 1; i <= total; i++) await process.plugin.send(message(`aviso ${i}`));
    expect(await heldList()).toHaveLength(WINDOW.maxDelivered);
    expect(logged('too many held WhatsApp messages: the oldest dropped')).toMatchObject([
      { level: 'warn', conversationId: CONVERSATION, dropped: 1, held: WINDOW.maxDelivered },
      { dropped: 1 },
      { dropped: 1 },
    ]);
    await userWrites(process, 'hola');
    const expected = Array.from({ length: WINDOW.maxDelivered }, (_, i) => `aviso ${i + 4}`);
    expect(texts()).toEqual([...expected, 'Recibido: hola']);
  });
});

describe('a held message is not a delivery', () => {
  it('an older dead letter of the conversation is still retried, not superseded', async () => {
    const process = startProcess();
    await userWrites(process, 'hola');
    shared.platform.failNext('whatsapp', 500, 1);
    await process.dispatcher.dispatch(message('Falla reportada: OT-CORR-5.'));
    expect(await process.dispatcher.deadLetters()).toMatchObject([{ retryable: true }]);
    // 24 hours pass: an operator's answer is held.
    fake.closeWindow(WA_ID);
    await state.delete(`window:${WA_ID}`);
    await process.dispatcher.dispatch(message('Ana (supervisora): la reviso', 'agent'));
    expect(await process.dispatcher.retryDeadLetters()).toBe(1);
    await process.dispatcher.idle();
    // The retry found the window closed too: held, not superseded.
    expect(await process.dispatcher.deadLetters()).toEqual([]);
    fake.openWindow(WA_ID);
    await userWrites(process, 'sigo aquí');
    expect(texts()).toEqual([
      'Recibido: hola',
      'Ana (supervisora): la reviso',
      'Falla reportada: OT-CORR-5.',
      'Recibido: sigo aquí',
    ]);
  });

  it('neither is a "processing" notice dropped outside the window', async () => {
    const process = startProcess();
    expect(await process.plugin.send(message('Procesando: consultando…', 'processing'))).toEqual({ held: true });
    expect(shared.platform.requests).toEqual([]);
  });
});

describe('a message refused later on several of its parts (131047 statuses)', () => {
  it('holds its remainder once; the other parts’ statuses are ignored, not dead-lettered', async () => {
    const process = startProcess();
    await userWrites(process, 'hola');
    const paragraph = (n: number) => `Parte ${n}: ${'detalle '.repeat(400)}`.trim();
    const long = [1, 2, 3].map(paragraph).join('\n\n');
    await process.dispatcher.dispatch(message(long));
    const parts = shared.platform.sent('whatsapp', WA_ID).slice(1);
    expect(parts).toHaveLength(3);
    const wamids = parts.map((m) => (m.request.response as { messages: { id: string }[] }).messages[0]!.id);
    // The window had closed: parts 2 and 3 are refused after being accepted.
    fake.closeWindow(WA_ID);
    await refusedLater(process, wamids[1]!);
    await refusedLater(process, wamids[2]!);
    expect(await process.dispatcher.deadLetters()).toEqual([]);
    expect(await heldList()).toHaveLength(1);
    expect(logged('WhatsApp 131047 for another part of a message already handled: ignored')).toMatchObject([
      { level: 'debug', conversationId: CONVERSATION, partsSent: 2 },
    ]);
    fake.openWindow(WA_ID);
    await userWrites(process, 'sigo aquí');
    // The remainder (parts 2 and 3) once, split again as it goes out.
    expect(texts().slice(4)).toEqual([paragraph(2), paragraph(3), 'Recibido: sigo aquí']);
    expect(refusedOutsideWindow(shared.platform, WA_ID)).toEqual([]);
  });
});
