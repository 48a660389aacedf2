import * as v from 'valibot';
import { isoFromUnixSeconds } from '../../core/delivery/payload-schema.ts';
import { ValidationError } from '../../core/errors.ts';
import type { DeliveryStatus } from '../../core/runtime/types.ts';
import { type Attachment, conversationIdOf, type InboundMessage } from '../../core/types.ts';
import { isRecord } from '../../lib/is-record.ts';
import { ContactSchema, listOf, MessageSchema, StatusSchema, type WaMessage } from './schema.ts';
import { CHANNEL } from './types.ts';

/** A message of a type the assistant cannot read (reaction, unsupported, system, contacts, …). */
export interface UnsupportedMessage {
  conversationId: string;
  messageId: string;
  type: string;
  /** When the user wrote it (the platform's timestamp, else the time of arrival). */
  receivedAt: string;
}

export interface ParsedWebhook {
  messages: InboundMessage[];
  statuses: { conversationId: string; status: DeliveryStatus }[];
  unsupported: UnsupportedMessage[];
  /** Messages not meant as input (a reaction, a system notice such as a number change): no answer. */
  ignored: UnsupportedMessage[];
  /** `phone_number_id`s of changes skipped because they are not this channel's number. */
  foreign: string[];
  /** Entries, changes, messages and statuses whose fields have the wrong types (logged, not processed). */
  malformed: number;
}

/** Types that are not a user speaking to the assistant: not answered, not even with a notice. */
const SILENT_TYPES = new Set(['reaction', 'system']);

const MEDIA_KINDS = ['image', 'document', 'audio', 'video', 'sticker'] as const;

function mediaOf(message: WaMessage): { attachment: Attachment; caption?: string } | null {
  const kind = MEDIA_KINDS.find((k) => k === message.type);
  const media = kind ? message[kind] : undefined;
  if (!kind || !media) return null;
  const attachment: Attachment = { kind, id: media.id };
  if (media.mime_type) attachment.mimeType = media.mime_type;
  if (media.caption) attachment.caption = media.caption;
  if (media.filename) attachment.fileName = media.filename;
  return media.caption ? { attachment, caption: media.caption } : { attachment };
}

/** The readable content of one message, or null when its type is not supported. */
function contentOf(message: WaMessage): Pick<InboundMessage, 'text' | 'action' | 'attachments' | 'location'> | null {
  switch (message.type) {
    case 'text':
      return message.text ? { text: message.text.body } : null;
    case 'interactive': {
      const reply = message.interactive?.button_reply ?? message.interactive?.list_reply;
      if (!reply) return null;
      return reply.title !== undefined ? { action: reply.id, text: reply.title } : { action: reply.id };
    }
    case 'button': {
      const payload = message.button?.payload ?? message.button?.text;
      return payload !== undefined ? { action: payload, text: message.button?.text ?? payload } : null;
    }
    case 'location': {
      const loc = message.location;
      if (!loc) return null;
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

function parseMessage(raw: unknown, names: Map<string, string>, into: ParsedWebhook): void {
  const valid = v.safeParse(MessageSchema, raw);
  if (!valid.success) {
    into.malformed += 1;
    return;
  }
  const message = valid.output;
  const conversationId = conversationIdOf(CHANNEL, message.from);
  const content = contentOf(message);
  if (!content) {
    const item = {
      conversationId,
      messageId: message.id,
      type: message.type,
      receivedAt: isoFromUnixSeconds(message.timestamp),
    };
    (SILENT_TYPES.has(message.type) ? into.ignored : into.unsupported).push(item);
    return;
  }
  const name = names.get(message.from);
  into.messages.push({
    id: message.id,
    channel: CHANNEL,
    conversationId,
    user: name ? { id: message.from, name } : { id: message.from },
    ...content,
    receivedAt: isoFromUnixSeconds(message.timestamp),
  });
}

function parseStatus(raw: unknown, into: ParsedWebhook): void {
  const valid = v.safeParse(StatusSchema, raw);
  if (!valid.success) {
    into.malformed += 1;
    return;
  }
  const status = valid.output;
  const delivery: DeliveryStatus = {
    messageId: status.id,
    status: status.status,
    at: isoFromUnixSeconds(status.timestamp),
    recipientId: status.recipient_id,
  };
  if (status.errors && status.errors.length > 0) delivery.errors = status.errors;
  into.statuses.push({ conversationId: conversationIdOf(CHANNEL, status.recipient_id), status: delivery });
}

function parseValue(value: Record<string, unknown>, into: ParsedWebhook): void {
  const names = new Map<string, string>();
  for (const contact of listOf(value['contacts'])) {
    const valid = v.safeParse(ContactSchema, contact);
    if (valid.success) names.set(valid.output.wa_id, valid.output.profile.name);
  }
  for (const message of listOf(value['messages'])) parseMessage(message, names, into);
  for (const status of listOf(value['statuses'])) parseStatus(status, into);
}

/** How a `phone_number_id` that is not this channel's is named in the log. */
const describeNumber = (number: unknown): string =>
  typeof number === 'string' ? number.slice(0, 64) : `(${number === null ? 'null' : typeof number})`;

/**
 * Parses a Cloud API webhook delivery: every message of every change (a delivery may batch several),
 * and the delivery receipts. Throws `ValidationError` when the envelope is not a WhatsApp one; below
 * it, whatever does not match is counted as `malformed` and skipped (Meta would resend it for days).
 * With `phoneNumberId`, only changes whose `metadata.phone_number_id` is exactly that string are read.
 */
export function parseWebhook(body: unknown, opts: { phoneNumberId?: string } = {}): ParsedWebhook {
  if (!isRecord(body)) throw new ValidationError('body must be a JSON object');
  if (body['object'] !== 'whatsapp_business_account') {
    throw new ValidationError('object must be "whatsapp_business_account"');
  }
  const entries = body['entry'];
  if (!Array.isArray(entries)) throw new ValidationError('entry must be an array');
  const parsed: ParsedWebhook = { messages: [], statuses: [], unsupported: [], ignored: [], foreign: [], malformed: 0 };
  for (const entry of entries) {
    if (!isRecord(entry) || !Array.isArray(entry['changes'])) {
      parsed.malformed += 1;
      continue;
    }
    for (const change of entry['changes'] as unknown[]) {
      const value = isRecord(change) ? change['value'] : undefined;
      if (!isRecord(change) || !isRecord(value)) {
        parsed.malformed += 1;
        continue;
      }
      // Other subscribed fields (account updates, templates) carry no conversation.
      if (change['field'] !== undefined && change['field'] !== 'messages') continue;
      // One app may serve several numbers: only this channel's number is answered (from this number).
      const number = isRecord(value['metadata']) ? value['metadata']['phone_number_id'] : undefined;
      if (opts.phoneNumberId !== undefined && number !== opts.phoneNumberId) {
        parsed.foreign.push(describeNumber(number));
        continue;
      }
      parseValue(value, parsed);
    }
  }
  return parsed;
}
