import * as v from 'valibot';
import { lenient, lenientText } from '../../core/delivery/payload-schema.ts';

/**
 * The parts of a Bot API Update omnibot reads, as valibot schemas (core.telegram.org/bots/api#update).
 * Identity fields (ids, the chat, the sender) must be right or the update is skipped; a cosmetic
 * field of the wrong type (a name, a caption, a keyboard, a date) is dropped instead, so a message is
 * not lost over it. Unknown fields are ignored.
 */

const id = v.pipe(v.number(), v.safeInteger());
const nonEmpty = v.pipe(v.string(), v.minLength(1));
const text = lenientText;

/** Seconds since 1970 up to 2106 (what Telegram sends); anything else becomes the time of arrival. */
const unixSeconds = lenient(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 32 - 1)));

export const UserSchema = v.object({
  id,
  is_bot: lenient(v.boolean()),
  first_name: text,
  last_name: text,
  username: text,
});

export const ChatSchema = v.object({ id, type: text });

const LocationSchema = v.object({
  latitude: v.pipe(v.number(), v.minValue(-90), v.maxValue(90)),
  longitude: v.pipe(v.number(), v.minValue(-180), v.maxValue(180)),
});

const PhotoSizeSchema = v.object({
  file_id: nonEmpty,
  width: v.fallback(v.number(), 0),
  height: v.fallback(v.number(), 0),
  file_size: lenient(v.number()),
});

const FileSchema = v.object({ file_id: nonEmpty, file_name: text, mime_type: text });

const KeyboardSchema = v.object({
  inline_keyboard: lenient(v.array(v.array(v.object({ text: v.string(), callback_data: text })))),
});

export const MessageSchema = v.object({
  message_id: id,
  from: v.optional(UserSchema),
  chat: ChatSchema,
  date: unixSeconds,
  text,
  caption: text,
  photo: lenient(v.array(PhotoSizeSchema)),
  document: lenient(FileSchema),
  audio: lenient(FileSchema),
  voice: lenient(FileSchema),
  video: lenient(FileSchema),
  sticker: lenient(FileSchema),
  location: lenient(LocationSchema),
  venue: lenient(v.object({ location: LocationSchema, title: text, address: text })),
  reply_markup: lenient(KeyboardSchema),
});

/** Only who sent it and where: an edit is answered with a notice, never processed. */
export const EditedMessageSchema = v.object({ from: v.optional(UserSchema), chat: ChatSchema });

export const CallbackQuerySchema = v.object({
  id: nonEmpty,
  from: UserSchema,
  /** The message the keyboard belonged to (possibly "inaccessible": chat and id only). */
  message: v.optional(v.object({ chat: ChatSchema, reply_markup: lenient(KeyboardSchema) })),
  data: text,
});

export type TgUser = v.InferOutput<typeof UserSchema>;
export type TgChat = v.InferOutput<typeof ChatSchema>;
export type TgMessage = v.InferOutput<typeof MessageSchema>;
export type TgCallbackQuery = v.InferOutput<typeof CallbackQuerySchema>;

/** `message.chat.id: Expected number…`: where and why a payload does not match. */
export function issueSummary(issues: readonly v.BaseIssue<unknown>[]): string {
  const issue = issues[0];
  if (!issue) return 'invalid payload';
  const path = v.getDotPath(issue);
  return path ? `${path}: ${issue.message}` : issue.message;
}
