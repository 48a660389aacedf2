import { describe, expect, it } from 'vitest';
import { useTestDispatchers } from '../../test/support/test-dispatchers.ts';
import type { ChannelPlugin } from '../plugin.ts';
import type { ChannelLimits } from './types.ts';

/**
 * A paced channel whose sends stay on their way until the test lets them through (`releaseNext`),
 * the way a slow platform holds a message.
 */
function heldChannel(name: string, pacing: ChannelLimits) {
  const sent: string[] = [];
  const onTheirWay: (() => void)[] = [];
  const waiters: (() => void)[] = [];
  const plugin: ChannelPlugin = {
    name,
    capabilities: { buttons: false, maxButtons: 0, maxButtonTitle: 20, maxTextLength: 4096, pacing },
    mount() {},
    async send(message) {
      await new Promise<void>((resolve) => {
        onTheirWay.push(resolve);
        for (const wake of waiters.splice(0)) wake();
      });
      sent.push(message.text);
    },
  };
  /** Resolves once a send is on its way (held). */
  const sending = async () => {
    while (onTheirWay.length === 0) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  const releaseNext = () => onTheirWay.shift()?.();
  return { plugin, sent, sending, releaseNext };
}

const dispatcherFor = useTestDispatchers();

describe('OutboundDispatcher.tryPace while messages of the chat are on their way', () => {
  it('takes none of the tokens the replies queued behind a running message need', async () => {
    // Three replies at once fit the burst; the bucket would then take ~17 minutes to give one back.
    const chat = heldChannel('chat', { perChat: { burst: 3, perSecond: 0.001 } });
    const dispatcher = dispatcherFor(chat.plugin);
    const replies = ['Procesando…', 'Sigo trabajando.', 'Listo: OT-CORR-7 creada.'];
    const dispatched = replies.map((text) => dispatcher.dispatch({ conversationId: 'chat:1', text }));
    for (const text of replies) {
      await chat.sending();
      // What a typing beat asks while the reply is on its way (the others queued behind it).
      expect(dispatcher.tryPace('chat:1'), `typing while "${text}" is on its way`).toBe(false);
      chat.releaseNext();
    }
    await Promise.all(dispatched);
    await dispatcher.idle();
    // Every reply went out on the burst: none waited for a token a typing action took.
    expect(chat.sent).toEqual(replies);
    expect(await dispatcher.deadLetters()).toEqual([]);
  });

  it('refuses while a lone message of the chat (or of its group) is in flight, and allows once it is out', async () => {
    const chat = heldChannel('telegram', { perChat: { burst: 5, perSecond: 1 }, perGroup: { burst: 5, perSecond: 1 } });
    const dispatcher = dispatcherFor(chat.plugin);
    const toAna = dispatcher.dispatch({ conversationId: 'telegram:-1001:111', text: 'Para Ana' });
    await chat.sending();
    expect(dispatcher.tryPace('telegram:-1001:111')).toBe(false);
    // Another member of the same group shares its budget; another group does not.
    expect(dispatcher.tryPace('telegram:-1001:222')).toBe(false);
    expect(dispatcher.tryPace('telegram:-1002:222')).toBe(true);
    chat.releaseNext();
    await toAna;
    expect(dispatcher.tryPace('telegram:-1001:222')).toBe(true);
    await dispatcher.idle();
    expect(chat.sent).toEqual(['Para Ana']);
  });
});
