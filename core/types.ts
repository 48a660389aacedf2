import { randomUUID } from 'node:crypto';
import type { ReplyKind, TemplateParams } from '../lib/reply.ts';

/** Message types shared by the host, the plugins and the runtime. */

export interface Attachment {
  kind: 'image' | 'document' | 'audio' | 'video' | 'sticker' | 'file';
  /** The channel's own media id (WhatsApp media id, Telegram file_id). */
  id: string;
  mimeType?: string;
  caption?: string;
  fileName?: string;
}

export interface GeoLocation {
  latitude: number;
  longitude: number;
  name?: string;
  address?: string;
}

export interface InboundMessage {
  /** The channel's own message id: the dedup key. */
  id: string;
  channel: string;
  conversationId: string;
  user: { id: string; name?: string };
  text?: string;
  /** A pressed button's payload. */
  action?: string;
  attachments?: Attachment[];
  location?: GeoLocation;
  /** ISO 8601. */
  receivedAt: string;
  /** The id was made up by the gateway (no client id): nothing will redeliver it, so no dedup record is kept. */
  oneShot?: boolean;
}

export interface Button {
  /** Payload sent back as `InboundMessage.action` when pressed. */
  id: string;
  title: string;
}

export interface OutboundMessage {
  conversationId: string;
  text: string;
  buttons?: Button[];
  replyTo?: string;
  /** What the reply is (lib/reply.ts): channels may show a kind differently. */
  kind?: ReplyKind;
  /** Parameters of the WhatsApp template this message may go as outside the 24-hour window. */
  template?: TemplateParams;
  /** For a person's reply: their label ("Ana (supervisora)"). */
  agent?: string;
}

/** A conversation id is `<channel>:<address>`; the address is the channel's chat or user id. */
export function conversationIdOf(channel: string, address: string): string {
  return `${channel}:${address}`;
}

/**
 * Browser conversations (GraphQL `startConversation`) are `web:~<uuid>`: no REST `user_id` may hold
 * `~`, so nobody can reach one through the REST API by posting its address as a `user_id`.
 */
export const BROWSER_ADDRESS_PREFIX = '~';

export function browserConversationId(): string {
  return conversationIdOf('web', `${BROWSER_ADDRESS_PREFIX}${randomUUID()}`);
}

export function splitConversationId(conversationId: string): { channel: string; address: string } {
  const at = conversationId.indexOf(':');
  if (at <= 0) return { channel: '', address: conversationId };
  return { channel: conversationId.slice(0, at), address: conversationId.slice(at + 1) };
}
