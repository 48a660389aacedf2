import type { Env } from '../../core/config.ts';
import { recentIds } from '../../core/delivery/recent-ids.ts';
import { createSentParts } from '../../core/delivery/sent-parts.ts';
import { type Logger, silentLogger } from '../../core/log.ts';
import { type ChannelFactory, type ChannelPlugin, type PluginHost, switchedByEnv } from '../../core/plugin.ts';
import { splitConversationId } from '../../core/types.ts';
import { deliverHeld } from './held.ts';
import { createWindowedSend, windowsOf } from './outbound.ts';
import { createWhatsAppClient } from './send.ts';
import { REQUIRED, settingsOf } from './settings.ts';
import { CHANNEL, LIMITS, PACING, type WhatsAppPluginOptions } from './types.ts';
import { createReadMarker } from './typing.ts';
import { mountWebhook } from './webhook.ts';
import { windowStart } from './window.ts';

export { parseWebhook } from './parse.ts';
export { renderWhatsApp } from './render.ts';
export type { WhatsAppPluginOptions } from './types.ts';
export { signWhatsAppBody, verifySignature } from './verify.ts';

/** Said when a user sends something the assistant cannot read (a contact card, a poll, …); reactions get no answer. */
export const UNSUPPORTED_NOTICE =
  'Por ahora solo puedo leer mensajes de texto, botones, ubicaciones, fotos, audios y documentos. Escribe "ayuda" para ver lo que puedo hacer.';

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
  const client = createWhatsAppClient(settings);
  const firstNotice = recentIds<string>(1000);
  // wamid → what it carried: a later `failed` status dead-letters the message (see webhook.ts).
  const sentParts = createSentParts();
  const send = createWindowedSend({ settings, client, sentParts, host: () => host, logger });
  const markRead = createReadMarker(client, logger);
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
        markRead,
        async userWrote(conversationId, receivedAt) {
          const windows = windowsOf(mountedOn);
          await windows.opened(splitConversationId(conversationId).address, windowStart(receivedAt, Date.now()));
          await deliverHeld(mountedOn, windows, conversationId);
        },
        async notifyUnsupported(message) {
          if (!firstNotice(message.messageId)) return;
          await mountedOn.deliver({ conversationId: message.conversationId, text: UNSUPPORTED_NOTICE });
        },
      });
    },
    send,
    async forget(conversationId) {
      if (host) await windowsOf(host).forget(splitConversationId(conversationId).address);
    },
    async close() {
      closing.abort();
      await client.close();
    },
  };
}
