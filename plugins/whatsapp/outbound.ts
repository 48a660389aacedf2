import { sendParts } from '../../core/delivery/send-parts.ts';
import type { createSentParts } from '../../core/delivery/sent-parts.ts';
import type { SendOptions, SendOutcome } from '../../core/delivery/types.ts';
import type { Logger } from '../../core/log.ts';
import type { PluginHost } from '../../core/plugin.ts';
import { conversationIdOf, type OutboundMessage, splitConversationId } from '../../core/types.ts';
import { deliverHeld } from './held.ts';
import { droppedButtons, renderWhatsApp } from './render.ts';
import { OutsideWindowError, type WhatsAppClient } from './send.ts';
import { renderTemplate } from './template.ts';
import { CHANNEL, LIMITS, type WaFreeFormPayload, type WaSendPayload, type WhatsAppSettings } from './types.ts';
import { type CustomerWindows, createCustomerWindows } from './window.ts';

export interface OutboundDeps {
  settings: WhatsAppSettings;
  client: WhatsAppClient;
  sentParts: ReturnType<typeof createSentParts>;
  /** The host the plugin is mounted on (its logger, channel state, `deliver`); none before `mount`. */
  host(): PluginHost | undefined;
  logger(): Logger;
}

export const windowsOf = (host: PluginHost): CustomerWindows =>
  createCustomerWindows(host.channelState, (address) => conversationIdOf(CHANNEL, address));

/** The text a rendered part shows. */
function bodyOf(payload: WaFreeFormPayload): string {
  return payload.type === 'text' ? payload.text.body : payload.interactive.body.text;
}

/** What is left of a message after its first `from` parts went out (a later part was refused). */
function remainderOf(message: OutboundMessage, payloads: WaFreeFormPayload[], from: number): OutboundMessage {
  if (from <= 0) return message;
  const { replyTo: _quotedByTheFirstPart, ...rest } = message;
  return { ...rest, text: payloads.slice(from).map(bodyOf).join('\n\n') };
}

/** For the dispatcher: not delivered, not failed either (kept until the user writes, or dropped as stale). */
const HELD: SendOutcome = { held: true };

/**
 * `send` with the 24-hour window: inside it messages go as they are; outside it (no record, or the
 * platform's 131047 for a stale record) a message with template parameters goes as the approved
 * template, anything else is held until the user writes again. Either way `send` resolves, not
 * failed: delivered (as the template), or `{ held: true }` (no delivery the dispatcher may count).
 */
export function createWindowedSend(deps: OutboundDeps) {
  const { client, sentParts, settings } = deps;
  const post = async (payload: WaSendPayload) => (await client.post(payload)).messageId;

  /** Outside the window: the template (delivered), or held (a "processing" notice is stale by then: dropped). */
  async function outside(
    host: PluginHost,
    windows: CustomerWindows,
    message: OutboundMessage,
    held: { payloads: WaFreeFormPayload[]; from: number; options: SendOptions; reason: string },
  ): Promise<SendOutcome | undefined> {
    const { conversationId } = message;
    const fields = { conversationId, kind: message.kind, reason: held.reason };
    if (message.template && settings.template) {
      const messageId = await post(renderTemplate(conversationId, settings.template, message.template));
      // A later `failed` status dead-letters the message from its start (a retry decides again).
      if (messageId) sentParts.remember(messageId, 0, held.options.deadLetter);
      host.logger.info(
        { ...fields, template: settings.template.name },
        'WhatsApp message sent as the approved template',
      );
      return undefined;
    }
    if (message.kind === 'processing') {
      host.logger.info(fields, 'WhatsApp "processing" notice outside the 24-hour window: not sent');
      return HELD;
    }
    const address = splitConversationId(conversationId).address;
    const { length, dropped } = await windows.hold(address, remainderOf(message, held.payloads, held.from));
    host.logger.info({ ...fields, held: length }, 'WhatsApp message held until the user writes again');
    if (dropped > 0) {
      host.logger.warn(
        { conversationId, dropped, held: length },
        'too many held WhatsApp messages: the oldest dropped',
      );
    }
    // The user may have written between the check and the hold: their message found nothing to deliver.
    if ((await windows.openedAt(address)) !== null) {
      void deliverHeld(host, windows, conversationId).catch((error: unknown) =>
        host.logger.error({ conversationId, err: error }, 'held WhatsApp messages not delivered'),
      );
    }
    return HELD;
  }

  return async function send(message: OutboundMessage, options: SendOptions = {}): Promise<SendOutcome | undefined> {
    const dropped = droppedButtons(message);
    if (dropped > 0) {
      const fields = { conversationId: message.conversationId, dropped };
      deps.logger().warn(fields, 'more buttons than a WhatsApp list holds');
    }
    const payloads = renderWhatsApp(message);
    const host = deps.host();
    // Not mounted (no channel state): no window bookkeeping, as before it existed.
    if (!host) {
      await sendParts(payloads, options, post, sentParts);
      return undefined;
    }
    const windows = windowsOf(host);
    const address = splitConversationId(message.conversationId).address;
    const from = options.fromPart ?? 0;
    const openedAt = await windows.openedAt(address);
    if (openedAt === null) return outside(host, windows, message, { payloads, from, options, reason: 'window closed' });
    let partsSent = from;
    let lateRefusal = false;
    const tracked: SendOptions = {
      ...options,
      onPartSent: (count) => {
        partsSent = count;
        options.onPartSent?.(count);
      },
      // WhatsApp often accepts the message and reports 131047 later (a `failed` status): handled as a refusal.
      deadLetter: async (failure) => {
        if (failure.platformCode !== LIMITS.outsideWindowError) return options.deadLetter?.(failure);
        if (lateRefusal) {
          // Another part of the same message: its remainder is already held (or sent as the template).
          const fields = { conversationId: message.conversationId, partsSent: failure.partsSent };
          host.logger.debug(fields, 'WhatsApp 131047 for another part of a message already handled: ignored');
          return;
        }
        lateRefusal = true;
        try {
          await windows.refused(address, openedAt);
          const late = { payloads, from: failure.partsSent, options, reason: 'failed status (131047)' };
          await outside(host, windows, message, late);
        } catch (error) {
          host.logger.error({ conversationId: message.conversationId, err: error }, 'WhatsApp 131047 not handled');
          await options.deadLetter?.(failure);
        }
      },
    };
    try {
      // Parts already accepted (the dispatcher keeps the count, also in dead letters) are not repeated.
      await sendParts(payloads, tracked, post, sentParts);
      return undefined;
    } catch (error) {
      if (!(error instanceof OutsideWindowError)) throw error;
      // The record was stale: once as the template, or held; the next messages skip the free-form attempt.
      await windows.refused(address, openedAt);
      return outside(host, windows, message, { payloads, from: partsSent, options, reason: 'refused (131047)' });
    }
  };
}
