import { type Env, envText, envUrl } from '../../core/config.ts';
import { recentIds } from '../../core/delivery/recent-ids.ts';
import { createSentParts } from '../../core/delivery/sent-parts.ts';
import type { SendOptions } from '../../core/delivery/types.ts';
import { ConfigError } from '../../core/errors.ts';
import { type Logger, silentLogger } from '../../core/log.ts';
import type { ChannelFactory, ChannelPlugin, PluginHost } from '../../core/plugin.ts';
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

const REQUIRED = [
  ['verifyToken', 'WHATSAPP_VERIFY_TOKEN'],
  ['appSecret', 'WHATSAPP_APP_SECRET'],
  ['token', 'WHATSAPP_TOKEN'],
  ['phoneNumberId', 'WHATSAPP_PHONE_NUMBER_ID'],
] as const;

/** The options, each one left out read from its variable; a ConfigError naming what is missing. */
function settingsOf(options: WhatsAppPluginOptions, env: Env): WhatsAppSettings {
  const values = REQUIRED.map(([key, name]) => options[key]?.trim() || envText(env, name));
  const missing = REQUIRED.filter((_, i) => !values[i]).map(([, name]) => name);
  if (missing.length > 0) throw new ConfigError(`WhatsApp channel: missing ${missing.join(', ')}`);
  const [verifyToken, appSecret, token, phoneNumberId] = values as string[];
  const apiUrl = options.apiUrl ?? envUrl(env, 'WHATSAPP_API_URL') ?? 'https://graph.facebook.com/v23.0';
  return {
    verifyToken: verifyToken!,
    appSecret: appSecret!,
    token: token!,
    phoneNumberId: phoneNumberId!,
    apiUrl: apiUrl.replace(/\/+$/, ''),
    timeoutMs: options.timeoutMs ?? 10_000,
  };
}

/** The channel list's line: on when any of its variables is set (then all are required), off otherwise. */
export const whatsappChannel: ChannelFactory = {
  name: CHANNEL,
  fromEnv(env) {
    const configured = REQUIRED.some(([, name]) => envText(env, name) !== undefined);
    return configured ? createWhatsAppPlugin({}, env) : null;
  },
};

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
      // Parts already accepted (the dispatcher keeps the count, also in dead letters): not repeated.
      const from = Math.max(0, options.fromPart ?? 0);
      for (let part = from; part < payloads.length; part++) {
        if (part > from) await options.beforePart?.(part);
        const { messageId } = await client.post(payloads[part]!);
        if (messageId) sentParts.remember(messageId, part, options.deadLetter);
        options.onPartSent?.(part + 1);
      }
    },
    async close() {
      closing.abort();
      await client.close();
    },
  };
}
