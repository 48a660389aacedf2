import { type Env, envUrl, requiredSettings } from '../../core/config.ts';
import { recentIds } from '../../core/delivery/recent-ids.ts';
import { sendParts } from '../../core/delivery/send-parts.ts';
import { createSentParts } from '../../core/delivery/sent-parts.ts';
import type { SendOptions } from '../../core/delivery/types.ts';
import { type Logger, silentLogger } from '../../core/log.ts';
import { type ChannelFactory, type ChannelPlugin, type PluginHost, switchedByEnv } from '../../core/plugin.ts';
import { droppedButtons, renderWhatsApp } from './render.ts';
import { createWhatsAppClient } from './send.ts';
import { CHANNEL, LIMITS, PACING, type WhatsAppPluginOptions, type WhatsAppSettings } from './types.ts';
import { mountWebhook } from './webhook.ts';

export { parseWebhook } from './parse.ts';
export { renderWhatsApp } from './render.ts';
export type { WhatsAppPluginOptions } from './types.ts';
export { signWhatsAppBody, verifySignature } from './verify.ts';

/** Said when a user sends something the assistant cannot read (a contact card, a poll, …); reactions get no answer. */
export const UNSUPPORTED_NOTICE =
  'Por ahora solo puedo leer mensajes de texto, botones, ubicaciones, fotos, audios y documentos. Escribe "ayuda" para ver lo que puedo hacer.';

/** The settings the channel cannot start without, by option key: each one's variable. */
const REQUIRED = {
  verifyToken: 'WHATSAPP_VERIFY_TOKEN',
  appSecret: 'WHATSAPP_APP_SECRET',
  token: 'WHATSAPP_TOKEN',
  phoneNumberId: 'WHATSAPP_PHONE_NUMBER_ID',
} as const;

/** The options, each one left out read from its variable; a ConfigError naming what is missing. */
function settingsOf(options: WhatsAppPluginOptions, env: Env): WhatsAppSettings {
  const required = requiredSettings('WhatsApp', env, REQUIRED, options);
  const apiUrl = options.apiUrl ?? envUrl(env, 'WHATSAPP_API_URL') ?? 'https://graph.facebook.com/v23.0';
  return { ...required, apiUrl: apiUrl.replace(/\/+$/, ''), timeoutMs: options.timeoutMs ?? 10_000 };
}

/** The channel list's line: on when any of its variables is set (then all are required), off otherwise. */
export const whatsappChannel: ChannelFactory = switchedByEnv(CHANNEL, REQUIRED, (env) => createWhatsAppPlugin({}, env));

/**
 * The WhatsApp Cloud API channel: webhook on `/webhooks/whatsapp`, replies through the Graph API.
 * Settings from `options`, else from `env`; everything else from the host at `mount`.
 */
export function createWhatsAppPlugin(options: WhatsAppPluginOptions = {}, env: Env = process.env): ChannelPlugin {
  const settings = settingsOf(options, env);
  // Everything the plugin uses besides its settings comes from the host it is mounted on.
  let host: PluginHost | undefined;
  const logger = (): Logger => host?.logger ?? silentLogger;
  const client = createWhatsAppClient(settings, logger);
  const firstNotice = recentIds<string>(1000);
  // wamid → what it carried: a later `failed` status dead-letters the message (see webhook.ts).
  const sentParts = createSentParts();
  // Background retries of inbound messages stop on close.
  const closing = new AbortController();

  return {
    name: CHANNEL,
    capabilities: {
      buttons: true,
      maxButtons: LIMITS.listRows,
      maxButtonTitle: LIMITS.listRowTitle,
      maxTextLength: LIMITS.text,
      pacing: options.pacing ?? PACING,
    },
    mount(app, mountedOn) {
      host = mountedOn;
      mountWebhook(app, {
        settings,
        host: mountedOn,
        signal: closing.signal,
        reportFailed: (wamid, failure) => sentParts.reportFailed(wamid, failure),
        async notifyUnsupported(message) {
          if (!firstNotice(message.messageId)) return;
          await mountedOn.deliver({ conversationId: message.conversationId, text: UNSUPPORTED_NOTICE });
        },
      });
    },
    async send(message, options: SendOptions = {}) {
      const dropped = droppedButtons(message);
      if (dropped > 0)
        logger().warn({ conversationId: message.conversationId, dropped }, 'more buttons than a WhatsApp list holds');
      const payloads = renderWhatsApp(message);
      // Parts already accepted (the dispatcher keeps the count, also in dead letters) are not repeated.
      await sendParts(payloads, options, async (payload) => (await client.post(payload)).messageId, sentParts);
    },
    async close() {
      closing.abort();
      await client.close();
    },
  };
}
