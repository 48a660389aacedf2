import { afterEach, describe, expect, it, vi } from 'vitest';
import { clearPrefix, connectRedis, uniquePrefix } from '../../test/support/redis.ts';
import { RateLimitError, UpstreamError } from '../errors.ts';
import { createLogger } from '../log.ts';
import { type ChannelPlugin, PluginRegistry } from '../plugin.ts';
import type { OutboundMessage } from '../types.ts';
import { createOutboundDispatcher } from './dispatcher.ts';
import { deliveryStateInRedis } from './shared-state.ts';
import type { OutboundDispatcher, OutboundDispatcherOptions, SendOptions } from './types.ts';

type Step = 'ok' | Error;

/** A channel whose `send` follows a script (then succeeds) and records what got through. */
function scriptedPlugin(name: string, script: Step[] = []) {
  const delivered: OutboundMessage[] = [];
  const attempts: { text: string; at: number }[] = [];
  const plugin: ChannelPlugin = {
    name,
    capabilities: { buttons: true, maxButtons: 3, maxButtonTitle: 20, maxTextLength: 4096 },
    mount() {},
    async send(message) {
      attempts.push({ text: message.text, at: Date.now() });
      const step = script.shift() ?? 'ok';
      if (step instanceof Error) throw step;
      delivered.push(message);
    },
  };
  return { plugin, delivered, attempts, script };
}

const logs: Record<string, unknown>[] = [];
const logger = createLogger('debug', {}, (line) => logs.push(JSON.parse(line)));
const open: OutboundDispatcher[] = [];

function dispatcherFor(plugins: ChannelPlugin[], options: Partial<OutboundDispatcherOptions> = {}) {
  const registry = new PluginRegistry();
  for (const plugin of plugins) registry.register(plugin);
  const dispatcher = createOutboundDispatcher({
    registry,
    logger,
    retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
    deadLetter: { intervalMs: 0, firstRetryDelayMs: 0, maxRounds: 3 },
    limits: { chat: {} },
    random: () => 0.5,
    ...options,
  });
  open.push(dispatcher);
  return dispatcher;
}

const msg = (text: string, conversationId = 'chat:42'): OutboundMessage => ({ conversationId, text });
const serverError = () => new UpstreamError('chat', 'HTTP 500', { status: 500, retryable: true });
const forbidden = () =>
  new UpstreamError('chat', 'Forbidden: bot was blocked by the user', {
    status: 403,
    retryable: false,
    details: { platformCode: 403 },
  });

afterEach(async () => {
  await Promise.all(open.splice(0).map((d) => d.close(1000)));
  logs.length = 0;
});

describe('outbound dispatcher', () => {
  it('routes by the conversation id channel', async () => {
    const chat = scriptedPlugin('chat');
    const other = scriptedPlugin('other');
    const dispatcher = dispatcherFor([chat.plugin, other.plugin]);
    await dispatcher.dispatch(msg('hola', 'other:7'));
    expect(other.delivered.map((m) => m.text)).toEqual(['hola']);
    expect(chat.delivered).toEqual([]);
  });

  it('retries a 5xx with backoff and delivers once', async () => {
    const chat = scriptedPlugin('chat', [serverError(), serverError()]);
    const dispatcher = dispatcherFor([chat.plugin]);
    await dispatcher.dispatch(msg('procesando'));
    await dispatcher.idle();
    expect(chat.delivered.map((m) => m.text)).toEqual(['procesando']);
    expect(chat.attempts).toHaveLength(3);
    const retries = logs.filter((l) => l.msg === 'send failed: retrying');
    expect(retries.map((l) => l.delayMs)).toEqual([4, 8]);
    expect(await dispatcher.deadLetters()).toEqual([]);
  });

  it("waits a rate limit's retry-after before the next attempt", async () => {
    const chat = scriptedPlugin('chat', [new RateLimitError('Too Many Requests: retry after 1', 60)]);
    const dispatcher = dispatcherFor([chat.plugin]);
    await dispatcher.dispatch(msg('hola'));
    await dispatcher.idle();
    expect(chat.delivered).toHaveLength(1);
    const [first, second] = chat.attempts;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(59);
    expect(logs.find((l) => l.msg === 'channel rate limit: retrying after its delay')).toMatchObject({ delayMs: 60 });
  });

  it('keeps the order of one conversation while its head waits for a retry', async () => {
    const chat = scriptedPlugin('chat', [serverError()]);
    const dispatcher = dispatcherFor([chat.plugin]);
    // The first resolves once it is waiting for its retry; the next ones queue behind it.
    await Promise.all([
      dispatcher.dispatch(msg('uno')),
      dispatcher.dispatch(msg('dos')),
      dispatcher.dispatch(msg('tres')),
    ]);
    await dispatcher.idle();
    expect(chat.delivered.map((m) => m.text)).toEqual(['uno', 'dos', 'tres']);
  });

  it('does not hold one conversation behind another', async () => {
    const chat = scriptedPlugin('chat', [new RateLimitError('slow down', 200)]);
    const dispatcher = dispatcherFor([chat.plugin]);
    await dispatcher.dispatch(msg('a la espera', 'chat:1'));
    await dispatcher.dispatch(msg('sin espera', 'chat:2'));
    expect(chat.delivered.map((m) => m.text)).toEqual(['sin espera']);
    await dispatcher.idle();
    expect(chat.delivered.map((m) => m.text)).toEqual(['sin espera', 'a la espera']);
  });

  it('dead-letters a non-retryable 4xx at once, logged with its conversation, and goes on', async () => {
    const chat = scriptedPlugin('chat', [forbidden()]);
    const dispatcher = dispatcherFor([chat.plugin]);
    await dispatcher.dispatch(msg('perdido'));
    await dispatcher.dispatch(msg('siguiente'));
    expect(chat.attempts.map((a) => a.text)).toEqual(['perdido', 'siguiente']);
    const [dead] = await dispatcher.deadLetters();
    expect(dead).toMatchObject({
      conversationId: 'chat:42',
      message: { text: 'perdido' },
      retryable: false,
      platformCode: 403,
      attempts: 1,
      nextRetryAt: null,
    });
    expect(logs.find((l) => l.msg === 'outbound message not delivered: kept in the dead-letter list')).toMatchObject({
      conversationId: 'chat:42',
      platformCode: 403,
    });
  });

  it('keeps a message that still fails after the retries, and delivers it on a later retry', async () => {
    const chat = scriptedPlugin('chat', [serverError(), serverError(), serverError()]);
    const dispatcher = dispatcherFor([chat.plugin]);
    await dispatcher.dispatch(msg('importante'));
    await dispatcher.idle();
    expect(chat.delivered).toEqual([]);
    const [dead] = await dispatcher.deadLetters();
    expect(dead).toMatchObject({ message: { text: 'importante' }, retryable: true, attempts: 3, rounds: 1 });
    expect(dead!.nextRetryAt).not.toBeNull();

    expect(await dispatcher.retryDeadLetters()).toBe(1);
    await dispatcher.idle();
    expect(chat.delivered.map((m) => m.text)).toEqual(['importante']);
    expect(await dispatcher.deadLetters()).toEqual([]);
  });

  it('retries non-retryable dead letters only when asked for all', async () => {
    const chat = scriptedPlugin('chat', [forbidden()]);
    const dispatcher = dispatcherFor([chat.plugin]);
    await dispatcher.dispatch(msg('bloqueado'));
    expect(await dispatcher.retryDeadLetters()).toBe(0);
    expect(await dispatcher.retryDeadLetters({ all: true })).toBe(1);
    await dispatcher.idle();
    expect(chat.delivered.map((m) => m.text)).toEqual(['bloqueado']);
  });

  it('sends nothing for a channel whose clients read their replies (web), also once closed', async () => {
    const web = scriptedPlugin('web');
    const readsReplies: ChannelPlugin = {
      ...web.plugin,
      capabilities: { ...web.plugin.capabilities, readsReplies: true },
    };
    const dispatcher = dispatcherFor([readsReplies]);
    await dispatcher.dispatch(msg('hola', 'web:ana'));
    await dispatcher.close(100);
    await dispatcher.dispatch(msg('tarde', 'web:ana'));
    expect(web.attempts).toEqual([]);
    expect(await dispatcher.deadLetters()).toEqual([]);
  });

  it('dead-letters messages for a channel without plugin instead of throwing', async () => {
    const dispatcher = dispatcherFor([]);
    await expect(dispatcher.dispatch(msg('hola', 'fax:1'))).resolves.toBeUndefined();
    expect(await dispatcher.deadLetters()).toMatchObject([{ code: 'no_plugin', conversationId: 'fax:1' }]);
  });

  it('paces a chat with its channel limits', async () => {
    const chat = scriptedPlugin('chat');
    const dispatcher = dispatcherFor([chat.plugin], { limits: { chat: { perChat: { burst: 1, perSecond: 20 } } } });
    // The pace counts from the first message's token, taken after this: a busy machine may record the
    // first attempt itself a few ms later than that, so the second is measured from here.
    const started = Date.now();
    await Promise.all([dispatcher.dispatch(msg('uno')), dispatcher.dispatch(msg('dos'))]);
    await dispatcher.idle();
    expect(chat.attempts.map((a) => a.text)).toEqual(['uno', 'dos']);
    expect(chat.attempts[1]!.at - started).toBeGreaterThanOrEqual(45);
  });

  it('paces a channel with its own declared budget (capabilities.pacing) unless limits override it', async () => {
    const declared = (name: string) => {
      const { plugin, attempts } = scriptedPlugin(name);
      const paced: ChannelPlugin = {
        ...plugin,
        capabilities: { ...plugin.capabilities, pacing: { perChat: { burst: 1, perSecond: 20 } } },
      };
      return { paced, attempts };
    };
    const own = declared('paced');
    const overridden = declared('free');
    const dispatcher = dispatcherFor([own.paced, overridden.paced], { limits: { free: {} } });
    const started = Date.now();
    await Promise.all([
      dispatcher.dispatch(msg('uno', 'paced:1')),
      dispatcher.dispatch(msg('dos', 'paced:1')),
      dispatcher.dispatch(msg('uno', 'free:1')),
      dispatcher.dispatch(msg('dos', 'free:1')),
    ]);
    await dispatcher.idle();
    const gap = (attempts: { at: number }[]) => attempts[1]!.at - attempts[0]!.at;
    // The paced chat's second message: at least its pace after the first token (taken after `started`).
    expect(own.attempts[1]!.at - started).toBeGreaterThanOrEqual(45);
    expect(gap(overridden.attempts)).toBeLessThan(45);
  });

  it('a send that fails while closing is dead-lettered (shutdown) instead of waiting for a retry', async () => {
    let fail: (error: Error) => void = () => {};
    const attempts: string[] = [];
    const hanging: ChannelPlugin = {
      name: 'chat',
      capabilities: { buttons: true, maxButtons: 3, maxButtonTitle: 20, maxTextLength: 4096 },
      mount() {},
      send(message) {
        attempts.push(message.text);
        return new Promise<void>((_, reject) => {
          fail = reject;
        });
      },
    };
    const dispatcher = dispatcherFor([hanging], { retry: { maxAttempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 } });
    void dispatcher.dispatch(msg('en vuelo'));
    void dispatcher.dispatch(msg('en cola'));
    await vi.waitFor(() => expect(attempts).toEqual(['en vuelo']), { timeout: 5_000 });
    const closed = dispatcher.close(10_000);
    fail(serverError());
    await closed;
    const dead = await dispatcher.deadLetters();
    expect(dead.map((d) => [d.message.text, d.code, d.retryable])).toEqual([
      ['en vuelo', 'shutdown', true],
      ['en cola', 'shutdown', true],
    ]);
    expect(attempts).toEqual(['en vuelo']);
  });

  it('resumes a retried dead letter (kept in Redis as JSON) after its delivered parts', async () => {
    const prefix = uniquePrefix('delivery');
    const redis = connectRedis();
    try {
      const sent: string[] = [];
      let failPart1 = true;
      const parts: ChannelPlugin = {
        name: 'chat',
        capabilities: { buttons: true, maxButtons: 3, maxButtonTitle: 20, maxTextLength: 4096 },
        mount() {},
        async send(message, options?: SendOptions) {
          const pieces = message.text.split('|');
          for (let part = options?.fromPart ?? 0; part < pieces.length; part++) {
            if (part === 1 && failPart1) throw forbidden();
            sent.push(pieces[part]!);
            options?.onPartSent?.(part + 1);
          }
        },
      };
      const dispatcher = dispatcherFor([parts], deliveryStateInRedis(redis, prefix));
      await dispatcher.dispatch(msg('uno|dos|tres'));
      expect(await dispatcher.deadLetters()).toMatchObject([{ partsSent: 1 }]);
      failPart1 = false;
      await dispatcher.retryDeadLetters({ all: true });
      await dispatcher.idle();
      expect(sent).toEqual(['uno', 'dos', 'tres']);
    } finally {
      await redis.quit();
      await clearPrefix(prefix);
    }
  });

  it('paces every API call of a split message, not only its first', async () => {
    const sent: string[] = [];
    const parts: ChannelPlugin = {
      name: 'chat',
      capabilities: { buttons: true, maxButtons: 3, maxButtonTitle: 20, maxTextLength: 4096 },
      mount() {},
      async send(message, options?: SendOptions) {
        const pieces = message.text.split('|');
        const from = options?.fromPart ?? 0;
        for (let part = from; part < pieces.length; part++) {
          if (part > from) await options?.beforePart?.(part);
          sent.push(pieces[part]!);
          options?.onPartSent?.(part + 1);
        }
      },
    };
    const dispatcher = dispatcherFor([parts], { limits: { chat: { perChat: { burst: 1, perSecond: 20 } } } });
    // Resolves as soon as the message waits for pacing: its second part needs a token of its own.
    await dispatcher.dispatch(msg('uno|dos'));
    expect(sent).toEqual(['uno']);
    await dispatcher.idle();
    expect(sent).toEqual(['uno', 'dos']);
  });

  it('on close, stops waiting for retries and keeps the waiting messages as dead letters', async () => {
    const chat = scriptedPlugin('chat', [new RateLimitError('slow down', 60_000)]);
    const dispatcher = dispatcherFor([chat.plugin]);
    await dispatcher.dispatch(msg('uno'));
    await dispatcher.dispatch(msg('dos'));
    await dispatcher.close(1000);
    const dead = await dispatcher.deadLetters();
    expect(dead.map((d) => [d.message.text, d.code, d.retryable])).toEqual([
      ['uno', 'shutdown', true],
      ['dos', 'shutdown', true],
    ]);
  });
});

describe('dead letters in Redis', () => {
  it('survive the dispatcher and are retried by the next one, once', async () => {
    const prefix = uniquePrefix('delivery');
    const redis = connectRedis();
    try {
      const failing = scriptedPlugin('chat', [forbidden()]);
      const first = dispatcherFor([failing.plugin], deliveryStateInRedis(redis, prefix));
      await first.dispatch(msg('guardado en redis'));
      await first.close();

      const healthy = scriptedPlugin('chat');
      const second = dispatcherFor([healthy.plugin], deliveryStateInRedis(redis, prefix));
      const third = dispatcherFor([healthy.plugin], deliveryStateInRedis(redis, prefix));
      expect(await second.deadLetters()).toMatchObject([{ message: { text: 'guardado en redis' }, platformCode: 403 }]);
      const taken = await Promise.all([second.retryDeadLetters({ all: true }), third.retryDeadLetters({ all: true })]);
      expect(taken[0]! + taken[1]!).toBe(1);
      await Promise.all([second.idle(), third.idle()]);
      expect(healthy.delivered.map((m) => m.text)).toEqual(['guardado en redis']);
      expect(await second.deadLetters()).toEqual([]);
    } finally {
      await redis.quit();
      await clearPrefix(prefix);
    }
  });

  it('keep only as many entries as their retention allows', async () => {
    const prefix = uniquePrefix('delivery');
    const redis = connectRedis();
    try {
      const failing = scriptedPlugin('chat', [forbidden(), forbidden(), forbidden()]);
      const dispatcher = dispatcherFor([failing.plugin], deliveryStateInRedis(redis, prefix, { maxEntries: 2 }));
      for (const text of ['uno', 'dos', 'tres']) await dispatcher.dispatch(msg(text));
      expect((await dispatcher.deadLetters()).map((entry) => entry.message.text)).toEqual(['dos', 'tres']);
    } finally {
      await redis.quit();
      await clearPrefix(prefix);
    }
  });
});

describe('outbound dispatcher pacing', () => {
  it('resolves dispatch while a message waits for its pacing slot, and still sends in order', async () => {
    const chat = scriptedPlugin('chat');
    const dispatcher = dispatcherFor([chat.plugin], { limits: { chat: { perChat: { burst: 1, perSecond: 5 } } } });
    await dispatcher.dispatch(msg('uno'));
    await dispatcher.dispatch(msg('dos'));
    await dispatcher.dispatch(msg('tres'));
    // The turn that produced them is not held up by the channel's pacing.
    expect(chat.delivered.map((m) => m.text)).toEqual(['uno']);
    await dispatcher.idle();
    expect(chat.delivered.map((m) => m.text)).toEqual(['uno', 'dos', 'tres']);
  });

  it('flushes paced messages on close', async () => {
    const chat = scriptedPlugin('chat');
    const dispatcher = dispatcherFor([chat.plugin], { limits: { chat: { perChat: { burst: 1, perSecond: 20 } } } });
    await dispatcher.dispatch(msg('uno'));
    await dispatcher.dispatch(msg('dos'));
    await dispatcher.close(2_000);
    expect(chat.delivered.map((m) => m.text)).toEqual(['uno', 'dos']);
    expect(await dispatcher.deadLetters()).toEqual([]);
  });
});

describe('automatic dead-letter retries keep the conversation order', () => {
  /** Two conversations whose first message is dead-lettered (retryable, due at once). */
  async function twoDeadLetters(options: Partial<OutboundDispatcherOptions> = {}) {
    const chat = scriptedPlugin('chat', [serverError(), serverError(), serverError()]);
    const dispatcher = dispatcherFor([chat.plugin], options);
    await dispatcher.dispatch(msg('procesando…', 'chat:1'));
    await dispatcher.idle();
    chat.script.push(serverError(), serverError(), serverError());
    await dispatcher.dispatch(msg('¿qué equipo?', 'chat:2'));
    await dispatcher.idle();
    expect((await dispatcher.deadLetters()).map((d) => [d.conversationId, d.retryable])).toEqual([
      ['chat:1', true],
      ['chat:2', true],
    ]);
    return { chat, dispatcher };
  }

  it('does not send a dead letter whose conversation got a newer delivery, and keeps it as superseded', async () => {
    const { chat, dispatcher } = await twoDeadLetters();
    // The workflow's result reaches chat:1 after its "procesando…" was dead-lettered; chat:2 gets nothing newer.
    await dispatcher.dispatch(msg('OT 123 cerrada', 'chat:1'));
    expect(chat.delivered.map((m) => m.text)).toEqual(['OT 123 cerrada']);

    expect(await dispatcher.retryDeadLetters()).toBe(2);
    await dispatcher.idle();
    expect(chat.delivered.map((m) => m.text)).toEqual(['OT 123 cerrada', '¿qué equipo?']);
    const dead = await dispatcher.deadLetters();
    expect(dead).toMatchObject([
      {
        conversationId: 'chat:1',
        message: { text: 'procesando…' },
        code: 'superseded',
        retryable: false,
        nextRetryAt: null,
        rounds: 1,
      },
    ]);
    expect(dead[0]!.reason).toContain('upstream_error');
    expect(
      logs.find((l) => l.msg === 'dead letter superseded by a newer delivered message: not retried'),
    ).toMatchObject({ conversationId: 'chat:1' });

    // Not retried automatically any more; the admin's explicit retry still sends it.
    expect(await dispatcher.retryDeadLetters()).toBe(0);
    expect(await dispatcher.retryDeadLetters({ all: true })).toBe(1);
    await dispatcher.idle();
    expect(chat.delivered.map((m) => m.text)).toEqual(['OT 123 cerrada', '¿qué equipo?', 'procesando…']);
    expect(await dispatcher.deadLetters()).toEqual([]);
  });

  it('the manual retry of all dead letters sends them, newer deliveries or not', async () => {
    const { chat, dispatcher } = await twoDeadLetters();
    await dispatcher.dispatch(msg('OT 123 cerrada', 'chat:1'));
    expect(await dispatcher.retryDeadLetters({ all: true })).toBe(2);
    await dispatcher.idle();
    expect(chat.delivered.map((m) => m.text)).toEqual(['OT 123 cerrada', 'procesando…', '¿qué equipo?']);
    expect(await dispatcher.deadLetters()).toEqual([]);
  });

  it('a delivered retry of an older dead letter does not supersede a newer one', async () => {
    const chat = scriptedPlugin('chat', [serverError(), serverError(), serverError()]);
    const dispatcher = dispatcherFor([chat.plugin]);
    await dispatcher.dispatch(msg('uno'));
    await dispatcher.idle();
    chat.script.push(serverError(), serverError(), serverError());
    await dispatcher.dispatch(msg('dos'));
    await dispatcher.idle();
    expect(await dispatcher.retryDeadLetters()).toBe(2);
    await dispatcher.idle();
    expect(chat.delivered.map((m) => m.text)).toEqual(['uno', 'dos']);
    expect(await dispatcher.deadLetters()).toEqual([]);
  });

  it('checks when the retry reaches the head of its lane, behind a newer message still waiting', async () => {
    const chat = scriptedPlugin('chat', [serverError(), serverError(), serverError()]);
    const dispatcher = dispatcherFor([chat.plugin]);
    await dispatcher.dispatch(msg('procesando…'));
    await dispatcher.idle();
    // The newer message waits for a rate limit when the automatic retry queues the dead letter behind it.
    chat.script.push(new RateLimitError('slow down', 30));
    await dispatcher.dispatch(msg('resultado'));
    expect(chat.delivered).toEqual([]);
    expect(await dispatcher.retryDeadLetters()).toBe(1);
    await dispatcher.idle();
    expect(chat.delivered.map((m) => m.text)).toEqual(['resultado']);
    expect(await dispatcher.deadLetters()).toMatchObject([{ message: { text: 'procesando…' }, code: 'superseded' }]);
  });

  it('with Redis, another process sees the last delivery and drops the stale dead letter', async () => {
    const prefix = uniquePrefix('delivery');
    const redis = connectRedis();
    try {
      // Process A dead-letters "procesando…"; process B, sharing Redis, delivers the result.
      const failing = scriptedPlugin('chat', [serverError(), serverError(), serverError()]);
      const a = dispatcherFor([failing.plugin], deliveryStateInRedis(redis, prefix));
      await a.dispatch(msg('procesando…'));
      await a.idle();
      failing.script.push(serverError(), serverError(), serverError());
      await a.dispatch(msg('¿qué equipo?', 'chat:8'));
      await a.idle();
      expect(failing.delivered).toEqual([]);

      const healthy = scriptedPlugin('chat');
      const b = dispatcherFor([healthy.plugin], deliveryStateInRedis(redis, prefix));
      await b.dispatch(msg('OT 123 cerrada'));
      await b.idle();
      const ttl = await redis.pttl(`${prefix}delivery:last-delivered`);
      expect(ttl).toBeGreaterThan(0);

      // A's own memory knows nothing newer for chat:42: the mark comes from Redis.
      expect(await a.retryDeadLetters()).toBe(2);
      await a.idle();
      expect(failing.delivered.map((m) => m.text)).toEqual(['¿qué equipo?']);
      expect((await b.deadLetters()).map((d) => [d.conversationId, d.message.text, d.code])).toEqual([
        ['chat:42', 'procesando…', 'superseded'],
      ]);
    } finally {
      await redis.quit();
      await clearPrefix(prefix);
    }
  });
});
