import * as v from 'valibot';
import { lenient, lenientText } from '../../core/delivery/payload-schema.ts';

/**
 * The parts of a Cloud API webhook omnibot reads, as valibot schemas (developers.facebook.com,
 * "Webhooks: messages"). A message or status whose identity fields (`from`, `id`, `type`,
 * `recipient_id`) are wrong is skipped; a cosmetic field of the wrong type (a name, a caption, a
 * timestamp) is dropped instead. Unknown fields are ignored.
 */

const nonEmpty = v.pipe(v.string(), v.minLength(1), v.maxLength(256));
const text = lenientText;

/** Unix seconds as WhatsApp sends them (a string of digits), up to 2106; else the time of arrival. */
const unixSeconds = lenient(
  v.pipe(
    v.union([v.pipe(v.string(), v.regex(/^\d{1,10}$/), v.transform(Number)), v.number()]),
    v.integer(),
    v.minValue(0),
    v.maxValue(2 ** 32 - 1),
  ),
);

const MediaSchema = v.object({ id: nonEmpty, mime_type: text, caption: text, filename: text });

const ReplySchema = v.object({ id: nonEmpty, title: text });

export const MessageSchema = v.object({
  from: nonEmpty,
  id: nonEmpty,
  timestamp: unixSeconds,
  type: nonEmpty,
  text: lenient(v.object({ body: v.string() })),
  interactive: lenient(v.object({ button_reply: lenient(ReplySchema), list_reply: lenient(ReplySchema) })),
  button: lenient(v.object({ payload: text, text })),
  location: lenient(
    v.object({
      latitude: v.pipe(v.number(), v.minValue(-90), v.maxValue(90)),
      longitude: v.pipe(v.number(), v.minValue(-180), v.maxValue(180)),
      name: text,
      address: text,
    }),
  ),
  image: lenient(MediaSchema),
  document: lenient(MediaSchema),
  audio: lenient(MediaSchema),
  video: lenient(MediaSchema),
  sticker: lenient(MediaSchema),
});

const ErrorSchema = v.object({
  code: lenient(v.number()),
  title: text,
  message: text,
  error_data: lenient(v.object({ details: text })),
});

export const StatusSchema = v.object({
  id: nonEmpty,
  status: nonEmpty,
  timestamp: unixSeconds,
  recipient_id: nonEmpty,
  errors: lenient(v.array(ErrorSchema)),
});

export const ContactSchema = v.object({ wa_id: nonEmpty, profile: v.object({ name: nonEmpty }) });

/** A list field: not an array counts as empty. */
export const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export type WaMessage = v.InferOutput<typeof MessageSchema>;
export type WaMedia = v.InferOutput<typeof MediaSchema>;
export type WaStatus = v.InferOutput<typeof StatusSchema>;
export type WaError = v.InferOutput<typeof ErrorSchema>;
