import { describe, expect, it } from 'vitest';
import { useTestDispatchers } from '../../test/support/test-dispatchers.ts';
import { RateLimitError } from '../errors.ts';
import type { ChannelPlugin } from '../plugin.ts';
import { ChannelPacer } from './rate-limit.ts';
import type { ChannelLimits } from './types.ts';

describe('ChannelPacer.tryTake (extra calls such as typing actions)', () => {
  it('takes a token only while one is free now, and never goes into debt', () => {
    const pacer = new ChannelPacer({ perChat: { burst: 2, perSecond: 1 } }, 0);
    expect([pacer.tryTake('telegram:1', 0), pacer.tryTake('telegram:1', 0), pacer.tryTake('telegram:1', 0)]).toEqual([
      true,
      true,
      false,
    ]);
    // Nothing was borrowed: the next message is not delayed by the refused call.
    expect(pacer.reserve('telegram:1', 1000)).toBe(0);
    expect(pacer.tryTake('telegram:1', 1000)).toBe(false);
    expect(pacer.tryTake('telegram:1', 2000)).toBe(true);
  });

  it('leaves to a waiting message what the bucket refills (messages keep priority)', () => {
    const pacer = new ChannelPacer({ perChat: { burst: 1, perSecond: 1 } }, 0);
    expect(pacer.reserve('telegram:1', 0)).toBe(0);
    expect(pacer.reserve('telegram:1', 0)).toBe(1000);
    // The second message owns the token that arrives at 1 s; a typing action gets the one after.
    expect(pacer.tryTake('telegram:1', 1000)).toBe(false);
    expect(pacer.tryTake('telegram:1', 1999)).toBe(false);
    expect(pacer.tryTake('telegram:1', 2000)).toBe(true);
  });

  it("counts against the channel's global budget too, and takes nothing when either is spent", () => {
    const pacer = new ChannelPacer({ perChat: { burst: 5, perSecond: 1 }, global: { burst: 2, perSecond: 1 } }, 0);
    expect(pacer.tryTake('telegram:1', 0)).toBe(true);
    expect(pacer.tryTake('telegram:2', 0)).toBe(true);
    expect(pacer.tryTake('telegram:3', 0)).toBe(false);
    // Chat 3's own budget was not touched by the refusal: a message to it only waits for the global token.
    expect(pacer.reserve('telegram:3', 0)).toBe(1000);
  });

  it("uses a group's budget for every member's conversation", () => {
    const pacer = new ChannelPacer(
      { perChat: { burst: 5, perSecond: 1 }, perGroup: { burst: 1, perSecond: 1 / 3 } },
      0,
    );
    expect(pacer.tryTake('telegram:-1001:111', 0)).toBe(true);
    expect(pacer.tryTake('telegram:-1001:222', 0)).toBe(false);
    expect(pacer.tryTake('telegram:-1001', 2000)).toBe(false);
    expect(pacer.tryTake('telegram:-1001:222', 3500)).toBe(true);
  });
});

/** A channel whose sends follow a script and which records what got through. */
function channel(name: string, pacing?: ChannelLimits, script: (Error | 'ok')[] = []) {
  const sent: string[] = [];
  const plugin: ChannelPlugin = {
    name,
    capabilities: {
      buttons: false,
      maxButtons: 0,
      maxButtonTitle: 20,
      maxTextLength: 4096,
      ...(pacing ? { pacing } : {}),
    },
    mount() {},
    async send(message) {
      const step = script.shift() ?? 'ok';
      if (step instanceof Error) throw step;
      sent.push(message.text);
    },
  };
  return { plugin, sent };
}

const dispatcherFor = useTestDispatchers();

describe('OutboundDispatcher.tryPace', () => {
  it("shares the chat's budget with its messages: a typing action only gets what they left free", async () => {
    const chat = channel('chat', { perChat: { burst: 2, perSecond: 0.001 } });
    const dispatcher = dispatcherFor(chat.plugin);
    expect(dispatcher.tryPace('chat:1')).toBe(true);
    await dispatcher.dispatch({ conversationId: 'chat:1', text: 'Procesando' });
    expect(chat.sent).toEqual(['Procesando']);
    expect(dispatcher.tryPace('chat:1')).toBe(false);
    // Another chat has its own budget.
    expect(dispatcher.tryPace('chat:2')).toBe(true);
  });

  it('refuses while a message of the chat is held back by a rate limit', async () => {
    const chat = channel('chat', { perChat: { burst: 10, perSecond: 10 } }, [
      new RateLimitError('Too Many Requests', 300),
    ]);
    const dispatcher = dispatcherFor(chat.plugin);
    // Resolves once the message waits for its retry-after.
    await dispatcher.dispatch({ conversationId: 'chat:1', text: 'Resultado' });
    expect(chat.sent).toEqual([]);
    expect(dispatcher.tryPace('chat:1')).toBe(false);
    expect(dispatcher.tryPace('chat:2')).toBe(true);
    await dispatcher.idle();
    expect(chat.sent).toEqual(['Resultado']);
    expect(dispatcher.tryPace('chat:1')).toBe(true);
  });

  it('refuses a group member while another member of the group waits', async () => {
    const chat = channel('telegram', { perChat: { burst: 10, perSecond: 10 } }, [new RateLimitError('slow down', 300)]);
    const dispatcher = dispatcherFor(chat.plugin);
    await dispatcher.dispatch({ conversationId: 'telegram:-1001:111', text: 'Para Ana' });
    expect(dispatcher.tryPace('telegram:-1001:222')).toBe(false);
    expect(dispatcher.tryPace('telegram:-1002:222')).toBe(true);
    await dispatcher.idle();
  });

  it('lets an unpaced channel through, refuses an unknown channel, and refuses everything once closed', async () => {
    const free = channel('free');
    const dispatcher = dispatcherFor(free.plugin);
    expect(dispatcher.tryPace('free:1')).toBe(true);
    expect(dispatcher.tryPace('nowhere:1')).toBe(false);
    await dispatcher.close();
    expect(dispatcher.tryPace('free:1')).toBe(false);
  });
});
