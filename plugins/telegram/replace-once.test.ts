import { afterEach, describe, expect, it } from 'vitest';
import type { ChannelState } from '../../core/delivery/channel-state.ts';
import type { ChannelPlugin } from '../../core/plugin.ts';
import type { OutboundMessage } from '../../core/types.ts';
import { telegramFake } from '../../test/channels/fakes/telegram.ts';
import { callsTo, PROCESSING, SECRET, TOKEN } from '../../test/channels/telegram-feedback-rig.ts';
import { mountPlugin } from '../../test/contract/plugin-host.ts';
import { useSharedChannelState } from '../../test/support/shared-channel-state.ts';
import { createTelegramPlugin } from './index.ts';

const shared = useSharedChannelState('tg-replace-once', [telegramFake({ token: TOKEN })]);
const plugins: ChannelPlugin[] = [];

afterEach(async () => {
  await Promise.all(plugins.splice(0).map((plugin) => plugin.close?.()));
});

/** One gateway process's Telegram channel, its chat marks in the Redis every process shares. */
function gatewayProcess(channelState: ChannelState = shared.state('telegram')) {
  const plugin = createTelegramPlugin({
    token: TOKEN,
    webhookSecret: SECRET,
    apiUrl: shared.platform.apiUrl('telegram'),
    timeoutMs: 2000,
    typingIntervalMs: 60_000,
  });
  mountPlugin(plugin, { channelState });
  plugins.push(plugin);
  return (message: OutboundMessage) => plugin.send(message);
}

/** Shared marks whose deletes fail (a Redis blip while the processing record is forgotten). */
function forgetfulState(): ChannelState {
  const state = shared.state('telegram');
  return {
    ...state,
    async delete() {
      throw new Error('Connection is closed.');
    },
  };
}

const texts = (chatId: number, operation: string) =>
  callsTo(shared.platform, chatId, [operation]).map((r) => r.body['text']);

describe('Telegram: at most one result replaces a "Procesando…" message', () => {
  it('sends a late report as a new message even when forgetting the processing record failed', async () => {
    const send = gatewayProcess(forgetfulState());
    await send({ conversationId: 'telegram:71', text: PROCESSING, kind: 'processing' });
    await send({ conversationId: 'telegram:71', text: 'Listo: OT-CORR-11 creada.', kind: 'result' });
    await send({ conversationId: 'telegram:71', text: 'Informe: OT-CORR-11 completada.', kind: 'result' });

    expect(texts(71, 'editMessageText')).toEqual(['Listo: OT-CORR-11 creada.']);
    expect(texts(71, 'sendMessage')).toEqual([PROCESSING, 'Informe: OT-CORR-11 completada.']);
    // The user still sees the first result, with the late report after it.
    expect(shared.platform.sent('telegram', '71').map((m) => m.text)).toEqual([
      PROCESSING,
      'Listo: OT-CORR-11 creada.',
      'Informe: OT-CORR-11 completada.',
    ]);
  });

  it('lets only one of two processes delivering results at the same time edit it', async () => {
    const [first, second] = [gatewayProcess(), gatewayProcess()];
    await first({ conversationId: 'telegram:72', text: PROCESSING, kind: 'processing' });
    await Promise.all([
      first({ conversationId: 'telegram:72', text: 'Listo: OT-CORR-12 creada.', kind: 'result' }),
      second({ conversationId: 'telegram:72', text: 'Informe: OT-CORR-12 asignada.', kind: 'result' }),
    ]);

    const edited = texts(72, 'editMessageText');
    expect(edited).toHaveLength(1);
    // The other result is a new message: both results stay in the chat.
    const added = texts(72, 'sendMessage').slice(1);
    expect([...edited, ...added].sort()).toEqual(['Informe: OT-CORR-12 asignada.', 'Listo: OT-CORR-12 creada.']);
  });

  it('still edits after a rate-limited edit attempt (the retry claims it again)', async () => {
    const send = gatewayProcess();
    await send({ conversationId: 'telegram:73', text: PROCESSING, kind: 'processing' });
    shared.platform.script(
      'telegram',
      [
        {
          status: 429,
          body: { ok: false, error_code: 429, description: 'Too Many Requests', parameters: { retry_after: 0 } },
        },
      ],
      'editMessageText',
    );
    const result: OutboundMessage = {
      conversationId: 'telegram:73',
      text: 'Listo: OT-CORR-13 creada.',
      kind: 'result',
    };
    await expect(send(result)).rejects.toThrow(/Too Many Requests/);
    // The dispatcher's retry of the same message.
    await send(result);
    expect(callsTo(shared.platform, 73, ['editMessageText']).map((r) => r.status)).toEqual([429, 200]);
    expect(texts(73, 'sendMessage')).toEqual([PROCESSING]);
  });
});
