import * as v from 'valibot';

/** Pieces the channels' webhook schemas and parsers share (Telegram, WhatsApp). */

/** Dropped (undefined) when absent or not of the expected type: a cosmetic field never loses a message. */
export const lenient = <T extends v.GenericSchema>(schema: T) => v.fallback(v.optional(schema), undefined);

/** An optional text field, dropped when it is not a string. */
export const lenientText = lenient(v.string());

/** A platform's Unix seconds as an ISO time; the time of arrival when it has none. */
export const isoFromUnixSeconds = (seconds: number | undefined): string =>
  new Date(seconds ? seconds * 1000 : Date.now()).toISOString();
