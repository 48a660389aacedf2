import { ValidationError } from '../../core/errors.ts';
import type { DeliveryStatus } from '../../core/runtime/types.ts';
import { type Attachment, conversationIdOf, type InboundMessage } from '../../core/types.ts';
import { CHANNEL, type WaChangeValue, type WaMedia, type WaMessage, type WaStatus } from './types.ts';

/** A message of a type the assistant cannot read (reaction, unsupported, system, contacts, …). */
export interface UnsupportedMessage {
  conversationId: string;
  messageId: string;
  type: string;
}

export interface ParsedWebhook {
  messages: InboundMessage[];
  statuses: { conversationId: string; status: DeliveryStatus }[];
  unsupported: UnsupportedMessage[];
  /** Messages not meant as input (a reaction, a system notice such as a number change): no answer. */
  ignored: UnsupportedMessage[];
  /** `phone_number_id`s of changes skipped because they are for another number of the account. */
  foreign: string[];
  /** Items without the fields every message or status has (logged, not processed). */
  malformed: number;
}

/** Types that are not a user speaking to the assistant: not answered, not even with a notice. */
const SILENT_TYPES = new Set(['reaction', 'system']);

const MEDIA_KINDS = ['image', 'document', 'audio', 'video', 'sticker'] as const;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isoFromUnix = (timestamp: unknown): string => {
  const seconds = Number(timestamp);
  return Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000).toISOString() : new Date().toISOString();
};

function mediaOf(message: WaMessage): { attachment: Attachment; caption?: string } | null {
  for (const kind of MEDIA_KINDS) {
    if (message.type !== kind) continue;
    const media = message[kind] as WaMedia | undefined;
    if (!isObject(media) || typeof media.id !== 'string') return null;
    const attachment: Attachment = { kind, id: media.id };
    if (media.mime_type) attachment.mimeType = media.mime_type;
    if (media.caption) attachment.caption = media.caption;
    if (media.filename) attachment.fileName = media.filename;
    return media.caption ? { attachment, caption: media.caption } : { attachment };
  }
  return null;
}

/** The readable content of one message, or null when its type is not supported. */
function contentOf(message: WaMessage): Pick<InboundMessage, 'text' | 'action' | 'attachments' | 'location'> | null {
  switch (message.type) {
    case 'text':
      return typeof message.text?.body === 'string' ? { text: message.text.body } : null;
    case 'interactive': {
      const reply = message.interactive?.button_reply ?? message.interactive?.list_reply;
      return reply && typeof reply.id === 'string' ? { action: reply.id, text: reply.title } : null;
    }
    case 'button': {
      const payload = message.button?.payload ?? message.button?.text;
      return typeof payload === 'string' ? { action: payload, text: message.button?.text ?? payload } : null;
    }
    case 'location': {
      const loc = message.location;
      if (!loc || typeof loc.latitude !== 'number' || typeof loc.longitude !== 'number') return null;
      const location: InboundMessage['location'] = { latitude: loc.latitude, longitude: loc.longitude };
      if (loc.name) location.name = loc.name;
      if (loc.address) location.address = loc.address;
      return { location };
    }
    default: {
      const media = mediaOf(message);
      if (!media) return null;
      return media.caption
        ? { attachments: [media.attachment], text: media.caption }
        : { attachments: [media.attachment] };
    }
  }
}

function parseMessage(message: WaMessage, names: Map<string, string>, into: ParsedWebhook): void {
  if (!isObject(message) || typeof message.from !== 'string' || typeof message.id !== 'string') {
    into.malformed += 1;
    return;
  }
  const conversationId = conversationIdOf(CHANNEL, message.from);
  const content = contentOf(message);
  if (!content) {
    if (SILENT_TYPES.has(String(message.type))) {
      into.ignored.push({ conversationId, messageId: message.id, type: String(message.type) });
      return;
    }
    into.unsupported.push({ conversationId, messageId: message.id, type: String(message.type) });
    return;
  }
  const name = names.get(message.from);
  into.messages.push({
    id: message.id,
    channel: CHANNEL,
    conversationId,
    user: name ? { id: message.from, name } : { id: message.from },
    ...content,
    receivedAt: isoFromUnix(message.timestamp),
  });
}

function parseStatus(status: WaStatus, into: ParsedWebhook): void {
  if (!isObject(status) || typeof status.id !== 'string' || typeof status.status !== 'string' || !status.recipient_id) {
    into.malformed += 1;
    return;
  }
  const delivery: DeliveryStatus = {
    messageId: status.id,
    status: status.status,
    at: isoFromUnix(status.timestamp),
    recipientId: status.recipient_id,
  };
  if (Array.isArray(status.errors) && status.errors.length > 0) delivery.errors = status.errors;
  into.statuses.push({ conversationId: conversationIdOf(CHANNEL, status.recipient_id), status: delivery });
}

function parseValue(value: WaChangeValue, into: ParsedWebhook): void {
  const names = new Map<string, string>();
  for (const contact of Array.isArray(value.contacts) ? value.contacts : []) {
    if (isObject(contact) && contact.wa_id && contact.profile?.name) names.set(contact.wa_id, contact.profile.name);
  }
  for (const message of Array.isArray(value.messages) ? value.messages : []) parseMessage(message, names, into);
  for (const status of Array.isArray(value.statuses) ? value.statuses : []) parseStatus(status, into);
}

/**
 * Parses a Cloud API webhook delivery: every message of every change (a delivery may batch several),
 * and the delivery receipts. Throws `ValidationError` when the envelope is not a WhatsApp one.
 */
export function parseWebhook(body: unknown, opts: { phoneNumberId?: string } = {}): ParsedWebhook {
  if (!isObject(body)) throw new ValidationError('body must be a JSON object');
  if (body['object'] !== 'whatsapp_business_account') {
    throw new ValidationError('object must be "whatsapp_business_account"');
  }
  const entries = body['entry'];
  if (!Array.isArray(entries)) throw new ValidationError('entry must be an array');
  const parsed: ParsedWebhook = { messages: [], statuses: [], unsupported: [], ignored: [], foreign: [], malformed: 0 };
  for (const entry of entries) {
    if (!isObject(entry) || !Array.isArray(entry['changes']))
      throw new ValidationError('entry[].changes must be an array');
    for (const change of entry['changes'] as unknown[]) {
      if (!isObject(change) || !isObject(change['value']))
        throw new ValidationError('entry[].changes[].value must be an object');
      // Other subscribed fields (account updates, templates) carry no conversation.
      if (change['field'] !== undefined && change['field'] !== 'messages') continue;
      const value = change['value'] as WaChangeValue;
      // One app may serve several numbers: only this channel's number is answered (from this number).
      const number = value.metadata?.phone_number_id;
      if (opts.phoneNumberId && typeof number === 'string' && number !== opts.phoneNumberId) {
        parsed.foreign.push(number);
        continue;
      }
      parseValue(value, parsed);
    }
  }
  return parsed;
}
