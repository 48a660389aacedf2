import * as v from 'valibot';
import { isoFromUnixSeconds } from '../../core/delivery/payload-schema.ts';
import { ValidationError } from '../../core/errors.ts';
import { type Attachment, conversationIdOf, type InboundMessage } from '../../core/types.ts';
import { isRecord } from '../../lib/is-record.ts';
import {
  CallbackQuerySchema,
  EditedMessageSchema,
  issueSummary,
  MessageSchema,
  type TgCallbackQuery,
  type TgChat,
  type TgMessage,
  type TgUser,
} from './schema.ts';
import { CHANNEL } from './types.ts';

export type ParsedUpdate =
  | { kind: 'message'; updateId: number; message: InboundMessage }
  /** A pressed inline button: always answered with `answerCallbackQuery`. */
  | { kind: 'callback'; updateId: number; callbackQueryId: string; message: InboundMessage | null }
  | { kind: 'edited'; updateId: number; conversationId: string }
  /** A user message with nothing the assistant can read (a poll, a contact, a dice…). */
  | { kind: 'unsupported'; updateId: number; conversationId: string }
  | { kind: 'ignored'; updateId: number; reason: string }
  /** An Update whose message does not match the Bot API's types: skipped (Telegram would resend it). */
  | { kind: 'malformed'; updateId: number; reason: string };

const MAX_REASON = 200;

/**
 * `telegram:<chat>` for a private chat; in a group every member has a conversation of their own,
 * `telegram:<chat>:<user>` (replies still go to the group), so nobody answers another's open question.
 */
export function conversationOf(chat: TgChat, from: TgUser | undefined): string {
  const address = from && from.id !== chat.id ? `${chat.id}:${from.id}` : String(chat.id);
  return conversationIdOf(CHANNEL, address);
}

function userOf(from: TgUser | undefined, fallbackId: number): InboundMessage['user'] {
  const id = String(from?.id ?? fallbackId);
  const name = [from?.first_name, from?.last_name].filter(Boolean).join(' ') || from?.username;
  return name ? { id, name } : { id };
}

function fileAttachment(kind: Attachment['kind'], file: NonNullable<TgMessage['document']>): Attachment {
  const attachment: Attachment = { kind, id: file.file_id };
  if (file.mime_type) attachment.mimeType = file.mime_type;
  if (file.file_name) attachment.fileName = file.file_name;
  return attachment;
}

/** Text, location and media of a message; null when there is nothing the assistant can read. */
function contentOf(message: TgMessage): Pick<InboundMessage, 'text' | 'attachments' | 'location'> | null {
  const content: Pick<InboundMessage, 'text' | 'attachments' | 'location'> = {};
  const text = message.text ?? message.caption;
  if (text) content.text = text;

  const where = message.venue?.location ?? message.location;
  if (where) {
    content.location = { latitude: where.latitude, longitude: where.longitude };
    if (message.venue?.title) content.location.name = message.venue.title;
    if (message.venue?.address) content.location.address = message.venue.address;
  }

  const attachments: Attachment[] = [];
  if (message.photo && message.photo.length > 0) {
    // Telegram lists the sizes of one photo; the largest is the one worth keeping.
    const largest = message.photo.reduce((best, size) =>
      (size.file_size ?? size.width * size.height) > (best.file_size ?? best.width * best.height) ? size : best,
    );
    attachments.push({ kind: 'image', id: largest.file_id, mimeType: 'image/jpeg' });
  }
  const files: [Attachment['kind'], TgMessage['document']][] = [
    ['document', message.document],
    ['audio', message.audio ?? message.voice],
    ['video', message.video],
    ['sticker', message.sticker],
  ];
  for (const [kind, file] of files) if (file) attachments.push(fileAttachment(kind, file));
  if (attachments.length > 0) {
    if (content.text) for (const attachment of attachments) attachment.caption = content.text;
    content.attachments = attachments;
  }
  return Object.keys(content).length > 0 ? content : null;
}

/** Commands that mean the same as a word the assistant understands (`/start` is a bot's first message). */
const COMMAND_WORDS: ReadonlyMap<string, string> = new Map([
  ['start', 'hola'],
  ['help', 'ayuda'],
  ['ayuda', 'ayuda'],
]);

/**
 * `/command@BotName args` → `/command args` (the suffix Telegram adds in groups); `/start`, `/help` and
 * `/ayuda` become "hola" and "ayuda", as if typed.
 */
export function normalizeCommand(text: string): string {
  const command = /^\/([A-Za-z0-9_]{1,64})(?:@[A-Za-z0-9_]{1,64})?(?=\s|$)/.exec(text);
  if (!command) return text;
  const name = command[1]!.toLowerCase();
  const rest = text.slice(command[0].length).trim();
  const word = COMMAND_WORDS.get(name);
  if (word) return rest && name !== 'start' ? `${word} ${rest}` : word;
  return rest ? `/${name} ${rest}` : `/${name}`;
}

/** The time a message was sent (the time of arrival when Telegram's date is missing or unusable). */

function parseMessage(updateId: number, message: TgMessage): ParsedUpdate {
  if (message.from?.is_bot) return { kind: 'ignored', updateId, reason: 'message from a bot' };
  const conversationId = conversationOf(message.chat, message.from);
  const content = contentOf(message);
  if (!content) return { kind: 'unsupported', updateId, conversationId };
  if (content.text && message.text !== undefined) content.text = normalizeCommand(content.text);
  return {
    kind: 'message',
    updateId,
    message: {
      // Message ids are unique per chat: a replayed update maps to the same id.
      id: `${message.chat.id}:${message.message_id}`,
      channel: CHANNEL,
      conversationId,
      user: userOf(message.from, message.chat.id),
      ...content,
      receivedAt: isoFromUnixSeconds(message.date),
    },
  };
}

/** The title of the pressed button, read back from the keyboard it belonged to. */
function pressedTitle(query: TgCallbackQuery): string | undefined {
  for (const row of query.message?.reply_markup?.inline_keyboard ?? []) {
    for (const button of row) if (button.callback_data === query.data) return button.text;
  }
  return undefined;
}

function parseCallback(updateId: number, query: TgCallbackQuery): ParsedUpdate {
  if (!query.data) return { kind: 'callback', updateId, callbackQueryId: query.id, message: null };
  const chat = query.message?.chat ?? { id: query.from.id };
  const title = pressedTitle(query);
  const message: InboundMessage = {
    id: `callback:${query.id}`,
    channel: CHANNEL,
    conversationId: conversationOf(chat, query.from),
    user: userOf(query.from, chat.id),
    action: query.data,
    receivedAt: new Date().toISOString(),
  };
  if (title) message.text = title;
  return { kind: 'callback', updateId, callbackQueryId: query.id, message };
}

/** Validates one part of an Update; a mismatch becomes a `malformed` result naming the field. */
function validated<T extends v.GenericSchema>(
  schema: T,
  value: unknown,
  field: string,
  updateId: number,
  parse: (valid: v.InferOutput<T>) => ParsedUpdate,
): ParsedUpdate {
  const result = v.safeParse(schema, value);
  if (result.success) return parse(result.output);
  const reason = `${field}.${issueSummary(result.issues)}`.slice(0, MAX_REASON);
  return { kind: 'malformed', updateId, reason };
}

/**
 * Parses one webhook Update. Throws `ValidationError` when the body is not an Update at all; an Update
 * whose message, edit or button press has fields of the wrong type is `malformed`.
 */
export function parseUpdate(body: unknown): ParsedUpdate {
  if (!isRecord(body)) throw new ValidationError('body must be a JSON object');
  const updateId = body['update_id'];
  if (typeof updateId !== 'number' || !Number.isSafeInteger(updateId))
    throw new ValidationError('update_id must be an integer');
  if (body['message'] !== undefined) {
    return validated(MessageSchema, body['message'], 'message', updateId, (message) => parseMessage(updateId, message));
  }
  if (body['callback_query'] !== undefined) {
    return validated(CallbackQuerySchema, body['callback_query'], 'callback_query', updateId, (query) =>
      parseCallback(updateId, query),
    );
  }
  if (body['edited_message'] !== undefined) {
    return validated(EditedMessageSchema, body['edited_message'], 'edited_message', updateId, (edited) => ({
      kind: 'edited',
      updateId,
      conversationId: conversationOf(edited.chat, edited.from),
    }));
  }
  const kind = Object.keys(body).find((key) => key !== 'update_id') ?? 'empty';
  return { kind: 'ignored', updateId, reason: `update type ${kind.slice(0, 64)}` };
}
