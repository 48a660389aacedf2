import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamError } from '../errors.ts';
import { createLogger } from '../log.ts';
import { type ChannelPlugin, PluginRegistry } from '../plugin.ts';
import type { OutboundMessage } from '../types.ts';
import { createOutboundDispatcher } from './dispatcher.ts';
import type { OutboundDispatcher } from './types.ts';

/**
 * A channel that keeps a message for later (`send` resolves to `{ held: true }`) has not delivered
 * it: the dispatcher neither retries it nor counts it as the conversation's newest delivery.
 */
const logs: Record<string, unknown>[] = [];
const logger = createLogger('debug', {}, (line) => logs.push(JSON.parse(line)));
let dispatcher: OutboundDispatcher;

afterEach(async () => {
  await dispatcher.close(1000);
  logs.length = 0;
});

/** Each message's fate by its text: `fail` (a 5xx), `hold` (kept by the channel), anything else sent. */
function channel(fate: (text: string) => 'fail' | 'hold' | 'send') {
  const sent: string[] = [];
  const calls: string[] = [];
  const plugin: ChannelPlugin = {
    name: 'chat',
    capabilities: { buttons: false, maxButtons: 0, maxButtonTitle: 20, maxTextLength: 4096 },
    mount() {},
    async send(message) {
      calls.push(message.text);
      const what = fate(message.text);
      if (what === 'fail') throw new UpstreamError('chat', 'HTTP 500', { status: 500, retryable: true });
      if (what === 'hold') return { held: true };
      sent.push(message.text);
      return undefined;
    },
  };
  dispatcher = createOutboundDispatcher({
    registry: new PluginRegistry().register(plugin),
    logger,
    retry: { maxAttempts: 1, baseDelayMs: 5, maxDelayMs: 5 },
    deadLetter: { intervalMs: 0, firstRetryDelayMs: 0, maxRounds: 5 },
    limits: { chat: {} },
  });
  return { sent, calls };
}

const msg = (text: string): OutboundMessage => ({ conversationId: 'chat:7', text });

describe('a message its channel held', () => {
  it('does not supersede an older dead letter of the conversation: the retry still sends it', async () => {
    let down = true;
    const { sent } = channel((text) =>
      text === 'Falla reportada: OT-9.' && down ? 'fail' : text === 'aviso' ? 'hold' : 'send',
    );
    await dispatcher.dispatch(msg('Falla reportada: OT-9.'));
    expect(await dispatcher.deadLetters()).toMatchObject([{ message: { text: 'Falla reportada: OT-9.' } }]);
    // A newer message is kept by the channel (the user is out of reach): nothing newer reached them.
    await dispatcher.dispatch(msg('aviso'));
    down = false;
    expect(await dispatcher.retryDeadLetters()).toBe(1);
    await dispatcher.idle();
    expect(sent).toEqual(['Falla reportada: OT-9.']);
    expect(await dispatcher.deadLetters()).toEqual([]);
  });

  it('is neither retried nor dead-lettered, and the next message goes on', async () => {
    const { sent, calls } = channel((text) => (text === 'aviso' ? 'hold' : 'send'));
    await dispatcher.dispatch(msg('aviso'));
    await dispatcher.dispatch(msg('hola'));
    await dispatcher.idle();
    expect(calls).toEqual(['aviso', 'hola']);
    expect(sent).toEqual(['hola']);
    expect(await dispatcher.deadLetters()).toEqual([]);
    expect(logs.filter((l) => l.msg === 'outbound message held by its channel')).toMatchObject([
      { conversationId: 'chat:7' },
    ]);
  });

  it('a delivered message still supersedes an older dead letter (as before)', async () => {
    let down = true;
    const { sent } = channel((text) => (text === 'procesando…' && down ? 'fail' : 'send'));
    await dispatcher.dispatch(msg('procesando…'));
    await dispatcher.dispatch(msg('OT-9 cerrada'));
    down = false;
    expect(await dispatcher.retryDeadLetters()).toBe(1);
    await dispatcher.idle();
    expect(sent).toEqual(['OT-9 cerrada']);
    expect(await dispatcher.deadLetters()).toMatchObject([{ code: 'superseded' }]);
  });
});
