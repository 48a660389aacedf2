import type { Hono } from 'hono';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOutboundDispatcher } from '../../core/delivery/dispatcher.ts';
import type { OutboundDispatcher } from '../../core/delivery/types.ts';
import { silentLogger } from '../../core/log.ts';
import { type ChannelPlugin, PluginRegistry } from '../../core/plugin.ts';
import type { InboundMessage } from '../../core/types.ts';
import { type PlatformFake, type PlatformServer, startPlatformServer } from '../support/platform-server.ts';
import { createFakeRuntime, type FakeRuntime } from './fake-runtime.ts';
import { mountPlugin } from './plugin-host.ts';

/** What a user saw: a reply's text and buttons, in the channel's form. */
export interface SeenReply {
  text: string;
  buttons: { id: string; title: string }[];
  form: string;
}

export interface ContractHarness {
  app: Hono;
  plugin: ChannelPlugin;
  runtime: FakeRuntime;
  dispatcher: OutboundDispatcher;
  platform: PlatformServer;
  /** The JSON answers of the webhook, in order (web replies travel in them). */
  answers: unknown[];
  /** Posts a delivery to the channel's webhook, as the platform (or the web client) would. */
  post(request: Request): Promise<Response>;
}

/** How the shared contract drives one channel. */
export interface ChannelContractAdapter {
  channel: string;
  /** The user's address (chat id, wa_id, user_id) the deliveries below come from. */
  address: string;
  createPlugin(platform: PlatformServer): ChannelPlugin;
  /** Recorded deliveries (the platform's documented payloads) and what each must parse to. */
  fixtures: { name: string; body: string; expected: Partial<InboundMessage> }[];
  /** A delivery of a user's text; the same `key` gives the same platform message id. */
  textDelivery(text: string, key: string): string;
  /** A delivery of a button press, the button as the user saw it. */
  pressDelivery(button: { id: string; title: string }, key: string): string;
  /** The HTTP request for a delivery, authenticated as the platform does it. */
  request(body: string): Request;
  /** How deliveries are authenticated; absent for a channel that has no platform signature (web). */
  authentication?: {
    scheme: string;
    /** The same delivery with a forged credential, and without one. */
    forged(body: string): Request;
    missing(body: string): Request;
  };
  /** The replies this user received so far, read where the channel puts them. */
  seen(harness: ContractHarness): SeenReply[];
  /** The form of two short buttons in this channel (`button`, `keyboard`, `json`). */
  buttonForm: string;
  /** The fake of the platform API replies go through; absent when replies travel in the HTTP answer (web). */
  fake?: PlatformFake;
}

/** The contract every channel plugin meets. */
export function runChannelContract(adapter: ChannelContractAdapter): void {
  describe(`channel contract: ${adapter.channel}`, () => {
    let platform: PlatformServer;
    let harness: ContractHarness;

    beforeAll(async () => {
      platform = await startPlatformServer(adapter.fake ? [adapter.fake] : []);
    });
    afterAll(() => platform.close());

    beforeEach(() => {
      platform.reset();
      const plugin = adapter.createPlugin(platform);
      const registry = new PluginRegistry().register(plugin);
      const dispatcher = createOutboundDispatcher({
        registry,
        logger: silentLogger,
        retry: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 50 },
        deadLetter: { intervalMs: 0 },
        // Pacing has its own unit tests; here it would only slow the retries down.
        limits: { [adapter.channel]: {} },
      });
      const deliver = (message: Parameters<OutboundDispatcher['dispatch']>[0]) => dispatcher.dispatch(message);
      const runtime = createFakeRuntime({ deliver });
      const { app } = mountPlugin(plugin, { runtime, deliver });
      const answers: unknown[] = [];
      harness = {
        app,
        plugin,
        runtime,
        dispatcher,
        platform,
        answers,
        post: async (request) => {
          const response = await app.request(request);
          answers.push(
            await response
              .clone()
              .json()
              .catch(() => null),
          );
          await runtime.settle();
          await dispatcher.idle();
          return response;
        },
      };
    });
    afterEach(() => harness.dispatcher.close());

    it.each(adapter.fixtures)('parses the recorded delivery $name', async ({ body, expected }) => {
      const response = await harness.post(adapter.request(body));
      expect(response.status).toBe(200);
      expect(harness.runtime.received).toHaveLength(1);
      expect(harness.runtime.received[0]).toMatchObject({ channel: adapter.channel, ...expected });
    });

    if (adapter.authentication) {
      const auth = adapter.authentication;
      it(`rejects deliveries without a valid ${auth.scheme} (401), processing nothing`, async () => {
        const body = adapter.textDelivery('reportar falla', 'forged');
        for (const request of [auth.forged(body), auth.missing(body)]) {
          const response = await harness.post(request);
          expect(response.status).toBe(401);
          expect(await response.json()).toMatchObject({ error: 'unauthorized' });
        }
        expect(harness.runtime.received).toEqual([]);
        expect(adapter.seen(harness)).toEqual([]);
      });
    }

    it('answers a replayed delivery once', async () => {
      const body = adapter.textDelivery('consultar estado de OT-CORR-1', 'replayed');
      expect((await harness.post(adapter.request(body))).status).toBe(200);
      expect((await harness.post(adapter.request(body))).status).toBe(200);
      expect(harness.runtime.received).toHaveLength(1);
      expect(adapter.seen(harness).map((r) => r.text)).toEqual(['Recibido: consultar estado de OT-CORR-1']);
    });

    it("renders buttons in the channel's form, and a press comes back as the action", async () => {
      await harness.post(adapter.request(adapter.textDelivery('hola', 'buttons')));
      const [reply] = adapter.seen(harness);
      expect(reply).toMatchObject({
        form: adapter.buttonForm,
        buttons: [
          { id: 'confirm:yes', title: 'Confirmar' },
          { id: 'confirm:no', title: 'Cancelar' },
        ],
      });
      await harness.post(adapter.request(adapter.pressDelivery(reply!.buttons[0]!, 'press')));
      expect(harness.runtime.received[1]).toMatchObject({ action: 'confirm:yes' });
      expect(adapter.seen(harness).map((r) => r.text)).toEqual(['Recibido: hola', 'Recibido: botón confirm:yes']);
    });

    const fake = adapter.fake;
    if (fake) {
      const api = fake.name;
      const sendsOf = () => platform.requests.filter((r) => r.operation === fake.sendOperation);
      /** A send's status, any success (200 OK, Twilio's 201 Created) as `accepted`. */
      const outcome = (status: number) => (status >= 200 && status < 300 ? 'accepted' : status);
      it('send: a 429 is retried after its retry-after and delivered once', async () => {
        platform.rateLimitNext(api, 1);
        await harness.post(adapter.request(adapter.textDelivery('ayuda', 'rate-limited')));
        const sends = sendsOf();
        expect(sends.map((r) => outcome(r.status))).toEqual([429, 'accepted']);
        expect(sends[1]!.at - sends[0]!.at).toBeGreaterThanOrEqual(1000);
        expect(adapter.seen(harness)).toHaveLength(1);
      });

      it('send: a 500 is retried and delivered once', async () => {
        platform.failNext(api, 500, 2);
        await harness.post(adapter.request(adapter.textDelivery('ayuda', 'server-error')));
        const sends = sendsOf();
        expect(sends.map((r) => outcome(r.status))).toEqual([500, 500, 'accepted']);
        expect(adapter.seen(harness).map((r) => r.text)).toEqual(['Recibido: ayuda']);
        expect(await harness.dispatcher.deadLetters()).toEqual([]);
      });

      it('send: a retried dead letter resumes after the parts already delivered', async () => {
        // A fifth longer than one message of the channel: two parts.
        const long = 'palabra '.repeat(Math.ceil((harness.plugin.capabilities.maxTextLength * 1.2) / 8)).trim();
        // The first part is accepted, then the second is refused until the message is dead-lettered.
        platform.failNext(api, 503, 4, 1);
        await harness.post(adapter.request(adapter.textDelivery(long, 'split')));
        expect(adapter.seen(harness)).toHaveLength(1);
        const [dead] = await harness.dispatcher.deadLetters();
        expect(dead).toMatchObject({ retryable: true, partsSent: 1 });
        await harness.dispatcher.retryDeadLetters({ all: true });
        await harness.dispatcher.idle();
        const texts = adapter.seen(harness).map((r) => r.text);
        expect(texts).toHaveLength(2);
        expect(texts.join(' ').split(/\s+/)).toEqual(`Recibido: ${long}`.split(/\s+/));
        expect(await harness.dispatcher.deadLetters()).toEqual([]);
      });

      it('send: a message the platform keeps refusing is kept as a dead letter', async () => {
        platform.failNext(api, 500, 4);
        await harness.post(adapter.request(adapter.textDelivery('ayuda', 'dead')));
        expect(adapter.seen(harness)).toEqual([]);
        const [dead] = await harness.dispatcher.deadLetters();
        expect(dead).toMatchObject({ channel: adapter.channel, message: { text: 'Recibido: ayuda' }, retryable: true });
        await harness.dispatcher.retryDeadLetters({ all: true });
        await harness.dispatcher.idle();
        expect(adapter.seen(harness).map((r) => r.text)).toEqual(['Recibido: ayuda']);
      });
    }
  });
}
