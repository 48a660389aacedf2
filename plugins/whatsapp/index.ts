import { ConfigError } from '../../core/errors.ts';
import { silentLogger } from '../../core/log.ts';
import type { ChannelPlugin } from '../../core/plugin.ts';
import type { OutboundMessage } from '../../core/types.ts';
import { droppedButtons, renderWhatsApp } from './render.ts';
import { createWhatsAppClient } from './send.ts';
import { CHANNEL, LIMITS, type WhatsAppPluginOptions, type WhatsAppSettings } from './types.ts';
import { mountWebhook } from './webhook.ts';

export { parseWebhook } from './parse.ts';
export { renderWhatsApp } from './render.ts';
export type { WhatsAppPluginOptions } from './types.ts';
export { signWhatsAppBody, verifySignature } from './verify.ts';

/** Said when a user sends something the assistant cannot read (a reaction, a contact card, …). */
export const UNSUPPORTED_NOTICE =
  'Por ahora solo puedo leer mensajes de texto, botones, ubicaciones, fotos, audios y documentos. Escribe "ayuda" para ver lo que puedo hacer.';

const REQUIRED = [
  ['verifyToken', 'WHATSAPP_VERIFY_TOKEN'],
  ['appSecret', 'WHATSAPP_APP_SECRET'],
  ['token', 'WHATSAPP_TOKEN'],
  ['phoneNumberId', 'WHATSAPP_PHONE_NUMBER_ID'],
] as const;

function settingsOf(options: WhatsAppPluginOptions): WhatsAppSettings {
  const missing = REQUIRED.filter(([key]) => !options[key]?.trim()).map(([, name]) => name);
  if (missing.length > 0) throw new ConfigError(`WhatsApp channel: missing ${missing.join(', ')}`);
  return {
    verifyToken: options.verifyToken!.trim(),
    appSecret: options.appSecret!.trim(),
    token: options.token!.trim(),
    phoneNumberId: options.phoneNumberId!.trim(),
    apiUrl: (options.apiUrl ?? 'https://graph.facebook.com/v23.0').replace(/\/+$/, ''),
    timeoutMs: options.timeoutMs ?? 10_000,
  };
}

/** Remembers the last ids it saw, so a redelivered webhook is answered once. */
function recentIds(limit: number) {
  const seen = new Set<string>();
  return (id: string): boolean => {
    if (seen.has(id)) return false;
    seen.add(id);
    if (seen.size > limit) seen.delete(seen.values().next().value!);
    return true;
  };
}

/** The WhatsApp Cloud API channel: webhook on `/webhooks/whatsapp`, replies through the Graph API. */
export function createWhatsAppPlugin(options: WhatsAppPluginOptions): ChannelPlugin {
  const settings = settingsOf(options);
  // Until mounted (or without a logger option), the host's logger is not known yet.
  let logger = (options.logger ?? silentLogger).child({ channel: CHANNEL });
  const client = createWhatsAppClient(settings, () => logger);
  // Parts of a split message already accepted: a retry resumes after them instead of repeating them.
  const progress = new WeakMap<OutboundMessage, number>();
  const firstNotice = recentIds(1000);

  const plugin: ChannelPlugin = {
    name: CHANNEL,
    capabilities: {
      buttons: true,
      maxButtons: LIMITS.listRows,
      maxButtonTitle: LIMITS.listRowTitle,
      maxTextLength: LIMITS.text,
    },
    mount(app, host) {
      if (!options.logger) logger = host.logger.child({ channel: CHANNEL });
      const deliver = options.deliver ?? ((message: OutboundMessage) => plugin.send(message));
      mountWebhook(app, {
        settings,
        host,
        logger,
        async notifyUnsupported(message) {
          if (!firstNotice(message.messageId)) return;
          await deliver({ conversationId: message.conversationId, text: UNSUPPORTED_NOTICE });
        },
      });
    },
    async send(message) {
      const dropped = droppedButtons(message);
      if (dropped > 0)
        logger.warn({ conversationId: message.conversationId, dropped }, 'more buttons than a WhatsApp list holds');
      const payloads = renderWhatsApp(message);
      for (let part = progress.get(message) ?? 0; part < payloads.length; part++) {
        await client.post(payloads[part]!);
        progress.set(message, part + 1);
      }
    },
    close: () => client.close(),
  };
  return plugin;
}
