import { ValidationError } from '../../core/errors.ts';
import { type Attachment, conversationIdOf, type InboundMessage } from '../../core/types.ts';
import { CHANNEL, type TgCallbackQuery, type TgMessage, type TgUpdate, type TgUser } from './types.ts';

export type ParsedUpdate =
  | { kind: 'message'; updateId: number; message: InboundMessage }
  /** A pressed inline button: always answered with `answerCallbackQuery`. */
  | { kind: 'callback'; updateId: number; callbackQueryId: string; message: InboundMessage | null }
  | { kind: 'edited'; updateId: number; conversationId: string }
  /** A user message with nothing the assistant can read (a poll, a contact, a dice…). */
  | { kind: 'unsupported'; updateId: number; conversationId: string }
  | { kind: 'ignored'; updateId: number; reason: string };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function userOf(from: TgUser | undefined, fallbackId: number): InboundMessage['user'] {
  const id = String(from?.id ?? fallbackId);
  const name = [from?.first_name, from?.last_name].filter(Boolean).join(' ') || from?.username;
  return name ? { id, name } : { id };
}

function fileAttachment(kind: Attachment['kind'], file: TgMessage['document']): Attachment | null {
  if (!isObject(file) || typeof file.file_id !== 'string') return null;
  const attachment: Attachment = { kind, id: file.file_id };
  if (file.mime_type) attachment.mimeType = file.mime_type;
  if (file.file_name) attachment.fileName = file.file_name;
  return attachment;
}

/** Text, location and media of a message; null when there is nothing the assistant can read. */
function contentOf(message: TgMessage): Pick<InboundMessage, 'text' | 'attachments' | 'location'> | null {
  const content: Pick<InboundMessage, 'text' | 'attachments' | 'location'> = {};
  const text = message.text ?? message.caption;
  if (typeof text === 'string' && text.length > 0) content.text = text;

  const where = message.venue?.location ?? message.location;
  if (isObject(where) && typeof where.latitude === 'number' && typeof where.longitude === 'number') {
    content.location = { latitude: where.latitude, longitude: where.longitude };
    if (message.venue?.title) content.location.name = message.venue.title;
    if (message.venue?.address) content.location.address = message.venue.address;
  }

  const attachments: Attachment[] = [];
  if (Array.isArray(message.photo) && message.photo.length > 0) {
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
  for (const [kind, file] of files) {
    const attachment = file ? fileAttachment(kind, file) : null;
    if (attachment) attachments.push(attachment);
  }
  if (attachments.length > 0) {
    if (content.text) for (const attachment of attachments) attachment.caption = content.text;
    content.attachments = attachments;
  }
  return Object.keys(content).length > 0 ? content : null;
}

/** Commands that mean the same as a word the assistant understands (`/start` is a bot's first message). */
const COMMAND_WORDS: Record<string, string> = { start: 'hola', help: 'ayuda', ayuda: 'ayuda' };

/**
 * `/command@BotName args` → `/command args` (the suffix Telegram adds in groups); `/start`, `/help` and
 * `/ayuda` become "hola" and "ayuda", as if typed.
 */
export function normalizeCommand(text: string): string {
  const command = /^\/([A-Za-z0-9_]{1,64})(?:@[A-Za-z0-9_]{1,64})?(?=\s|$)/.exec(text);
  if (!command) return text;
  const name = command[1]!.toLowerCase();
  const rest = text.slice(command[0].length).trim();
  const word = COMMAND_WORDS[name];
  if (word) return rest && name !== 'start' ? `${word} ${rest}` : word;
  return rest ? `/${name} ${rest}` : `/${name}`;
}

function parseMessage(updateId: number, message: TgMessage): ParsedUpdate {
  if (!isObject(message) || !isObject(message.chat) || typeof message.message_id !== 'number') {
    throw new ValidationError('message must have message_id and chat');
  }
  if (message.from?.is_bot) return { kind: 'ignored', updateId, reason: 'message from a bot' };
  const conversationId = conversationIdOf(CHANNEL, String(message.chat.id));
  const content = contentOf(message);
  if (!content) return { kind: 'unsupported', updateId, conversationId };
  if (content.text && typeof message.text === 'string') content.text = normalizeCommand(content.text);
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
      receivedAt: new Date((message.date || Date.now() / 1000) * 1000).toISOString(),
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
  if (!isObject(query) || typeof query.id !== 'string' || !isObject(query.from)) {
    throw new ValidationError('callback_query must have id and from');
  }
  if (typeof query.data !== 'string' || query.data.length === 0) {
    return { kind: 'callback', updateId, callbackQueryId: query.id, message: null };
  }
  const chatId = query.message?.chat?.id ?? query.from.id;
  const title = pressedTitle(query);
  const message: InboundMessage = {
    id: `callback:${query.id}`,
    channel: CHANNEL,
    conversationId: conversationIdOf(CHANNEL, String(chatId)),
    user: userOf(query.from, chatId),
    action: query.data,
    receivedAt: new Date().toISOString(),
  };
  if (title) message.text = title;
  return { kind: 'callback', updateId, callbackQueryId: query.id, message };
}

/** Parses one webhook Update. Throws `ValidationError` when it is not an Update. */
export function parseUpdate(body: unknown): ParsedUpdate {
  if (!isObject(body)) throw new ValidationError('body must be a JSON object');
  const updateId = body['update_id'];
  if (typeof updateId !== 'number' || !Number.isInteger(updateId))
    throw new ValidationError('update_id must be an integer');
  const update = body as unknown as TgUpdate;
  if (update.message !== undefined) return parseMessage(updateId, update.message);
  if (update.callback_query !== undefined) return parseCallback(updateId, update.callback_query);
  if (update.edited_message !== undefined) {
    const chat = update.edited_message?.chat;
    if (!isObject(chat)) throw new ValidationError('edited_message must have chat');
    return { kind: 'edited', updateId, conversationId: conversationIdOf(CHANNEL, String(chat.id)) };
  }
  const kind = Object.keys(body).find((key) => key !== 'update_id') ?? 'empty';
  return { kind: 'ignored', updateId, reason: `update type ${kind}` };
}
