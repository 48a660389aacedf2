import { recentIds } from '../../core/delivery/recent-ids.ts';
import type { SendOptions } from '../../core/delivery/types.ts';
import { ConfigError } from '../../core/errors.ts';
import { silentLogger } from '../../core/log.ts';
import type { ChannelPlugin } from '../../core/plugin.ts';
import type { OutboundMessage } from '../../core/types.ts';
import { CallbackData, renderTelegram } from './render.ts';
import { createTelegramClient } from './send.ts';
import { CHANNEL, LIMITS, type TelegramPluginOptions, type TelegramSettings } from './types.ts';
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

function settingsOf(options: TelegramPluginOptions): TelegramSettings {
  const missing = [
    ['token', 'TELEGRAM_BOT_TOKEN'],
    ['webhookSecret', 'TELEGRAM_WEBHOOK_SECRET'],
  ].filter(([key]) => !options[key as 'token' | 'webhookSecret']?.trim());
  if (missing.length > 0)
    throw new ConfigError(`Telegram channel: missing ${missing.map(([, name]) => name).join(', ')}`);
  const webhookSecret = options.webhookSecret!.trim();
  if (!SECRET_TOKEN_PATTERN.test(webhookSecret)) {
    throw new ConfigError('TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -');
  }
  return {
    token: options.token!.trim(),
    webhookSecret,
    apiUrl: (options.apiUrl ?? 'https://api.telegram.org').replace(/\/+$/, ''),
    timeoutMs: options.timeoutMs ?? 10_000,
  };
}

/** The Telegram Bot API channel: webhook on `/webhooks/telegram`, replies with sendMessage. */
export function createTelegramPlugin(options: TelegramPluginOptions): ChannelPlugin {
  const settings = settingsOf(options);
  // Until mounted (or without a logger option), the host's logger is not known yet.
  let logger = (options.logger ?? silentLogger).child({ channel: CHANNEL });
  const client = createTelegramClient(settings);
  const callbackData = new CallbackData();
  const firstNotice = recentIds<number>(1000);
  // Background retries of inbound messages stop on close.
  const closing = new AbortController();

  const plugin: ChannelPlugin = {
    name: CHANNEL,
    capabilities: { buttons: true, maxButtons: 100, maxButtonTitle: LIMITS.buttonTitle, maxTextLength: LIMITS.text },
    mount(app, host) {
      if (!options.logger) logger = host.logger.child({ channel: CHANNEL });
      const deliver = options.deliver ?? ((message: OutboundMessage) => plugin.send(message));
      const notify = (text: string) => async (conversationId: string, updateId: number) => {
        if (firstNotice(updateId)) await deliver({ conversationId, text });
      };
      mountWebhook(app, {
        settings,
        host,
        logger,
        signal: closing.signal,
        answerCallback: async (id) => void (await client.call('answerCallbackQuery', { callback_query_id: id })),
        decodeAction: (data) => callbackData.decode(data),
        notifyEdited: notify(NOTICES.edited),
        notifyUnsupported: notify(NOTICES.unsupported),
        notifyExpiredButton: notify(NOTICES.expiredButton),
      });
    },
    async send(message, options: SendOptions = {}) {
      const parts = renderTelegram(message, callbackData);
      // Parts already accepted (the dispatcher keeps the count, also in dead letters): not repeated.
      const from = Math.max(0, options.fromPart ?? 0);
      for (let part = from; part < parts.length; part++) {
        if (part > from) await options.beforePart?.(part);
        await client.call('sendMessage', parts[part]!);
        options.onPartSent?.(part + 1);
      }
    },
    async close() {
      closing.abort();
      await client.close();
    },
  };
  return plugin;
}
