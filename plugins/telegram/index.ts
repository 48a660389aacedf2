import { type Env, envUrl, requiredSettings } from '../../core/config.ts';
import { recentIds } from '../../core/delivery/recent-ids.ts';
import type { SendOptions } from '../../core/delivery/types.ts';
import { ConfigError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { type ChannelFactory, type ChannelPlugin, switchedByEnv } from '../../core/plugin.ts';
import { ChatMarks, chatOf } from './chat-marks.ts';
import { sendTelegram } from './outbound.ts';
import { CallbackData } from './render.ts';
import { createTelegramClient } from './send.ts';
import { CHANNEL, LIMITS, PACING, type TelegramPluginOptions, type TelegramSettings, TYPING } from './types.ts';
import { TypingLoops } from './typing.ts';
import { SECRET_TOKEN_PATTERN } from './verify.ts';
import { mountWebhook } from './webhook.ts';

export { parseUpdate } from './parse.ts';
export { CallbackData, renderTelegram } from './render.ts';
export { createTelegramClient } from './send.ts';
export type { TelegramPluginOptions } from './types.ts';
export { ALLOWED_UPDATES } from './types.ts';

/** Spanish notices for what the assistant does not process. */
export const NOTICES = {
  edited: 'No proceso mensajes editados. Si quieres corregir algo, envíalo en un mensaje nuevo.',
  unsupported:
    'Por ahora solo puedo leer mensajes de texto, botones, ubicaciones, fotos y documentos. Escribe "ayuda" para ver lo que puedo hacer.',
  expiredButton: 'Ese botón ya no está disponible. Escribe "ayuda" para ver lo que puedo hacer.',
} as const;

/** The settings the channel cannot start without, by option key: each one's variable. */
const REQUIRED = { token: 'TELEGRAM_BOT_TOKEN', webhookSecret: 'TELEGRAM_WEBHOOK_SECRET' } as const;

/**
 * The channel's settings: `options` first, each one left out read from its variable; a ConfigError
 * naming what is missing or wrong. `alsoRequired` (name → value) are the caller's own required
 * variables, named in the same message (`npm run telegram:set-webhook` adds PUBLIC_URL).
 */
export function telegramSettings(
  env: Env,
  options: TelegramPluginOptions = {},
  alsoRequired: Record<string, string | undefined> = {},
): TelegramSettings {
  const { token, webhookSecret } = requiredSettings('Telegram', env, REQUIRED, options, alsoRequired);
  if (!SECRET_TOKEN_PATTERN.test(webhookSecret)) {
    throw new ConfigError('TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -');
  }
  const apiUrl = options.apiUrl ?? envUrl(env, 'TELEGRAM_API_URL') ?? 'https://api.telegram.org';
  return {
    token,
    webhookSecret,
    apiUrl: apiUrl.replace(/\/+$/, ''),
    timeoutMs: options.timeoutMs ?? 10_000,
  };
}

/** The channel list's line: on when its bot token or webhook secret is set (then both are required). */
export const telegramChannel: ChannelFactory = switchedByEnv(CHANNEL, REQUIRED, (env) => createTelegramPlugin({}, env));

/**
 * The Telegram Bot API channel: webhook on `/webhooks/telegram`, replies with sendMessage; while a
 * workflow runs the chat shows "escribiendo…", and its result replaces the "Procesando…" message when
 * nothing came after it (outbound.ts). Settings from `options`, else from `env`; everything else from
 * the host at `mount`.
 */
export function createTelegramPlugin(options: TelegramPluginOptions = {}, env: Env = process.env): ChannelPlugin {
  const settings = telegramSettings(env, options);
  const client = createTelegramClient(settings);
  const callbackData = new CallbackData();
  const firstNotice = recentIds<number>(1000);
  // Background retries of inbound messages stop on close.
  const closing = new AbortController();
  const typing = new TypingLoops({
    client,
    intervalMs: options.typingIntervalMs ?? TYPING.intervalMs,
    limitMs: options.typingLimitMs ?? TYPING.limitMs,
  });
  let mounted: { marks: ChatMarks; logger: Logger } | null = null;
  const outbound = { client, callbackData, typing, marks: () => mounted };

  return {
    name: CHANNEL,
    capabilities: {
      buttons: true,
      maxButtons: 100,
      maxButtonTitle: LIMITS.buttonTitle,
      maxTextLength: LIMITS.text,
      pacing: options.pacing ?? PACING,
    },
    mount(app, host) {
      mounted = { marks: new ChatMarks(host.channelState, host.logger), logger: host.logger };
      const marks = mounted.marks;
      typing.attach(host);
      const notify = (text: string) => async (conversationId: string, updateId: number) => {
        if (firstNotice(updateId)) await host.deliver({ conversationId, text });
      };
      mountWebhook(app, {
        settings,
        host,
        signal: closing.signal,
        answerCallback: async (id) => void (await client.call('answerCallbackQuery', { callback_query_id: id })),
        decodeAction: (data) => callbackData.decode(data),
        notifyEdited: notify(NOTICES.edited),
        notifyUnsupported: notify(NOTICES.unsupported),
        notifyExpiredButton: notify(NOTICES.expiredButton),
        userWrote: (conversationId) => marks.userWrote(chatOf(conversationId)),
      });
    },
    send: (message, options: SendOptions = {}) => sendTelegram(outbound, message, options),
    async close() {
      closing.abort();
      await typing.close();
      await client.close();
    },
  };
}
