/**
 * SMS segments (3GPP TS 23.038; twilio.com/docs/glossary/what-sms-character-limit): a text written
 * only with the GSM-7 alphabet takes 160 characters in one segment and 153 per segment when
 * concatenated, the extension characters (€ [ ] { } …) counting 2; any other character (á, í, ó, ú,
 * an emoji) turns the whole message into UCS-2: 70 UTF-16 units, 67 per concatenated segment.
 * Each segment is billed.
 */

/** GSM 03.38 default alphabet (the escape code aside). é, ñ, ü, ¿, ¡ are in it; á, í, ó, ú are not. */
const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);

/** The extension table: each is sent as escape + character, two septets. */
const GSM7_EXTENSION = new Set('\f^{}\\[~]|€');

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentCount {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  /** Billed segments; 0 for an empty text. */
  segments: number;
}

const SIZES: Record<SmsEncoding, { single: number; concatenated: number }> = {
  'GSM-7': { single: 160, concatenated: 153 },
  'UCS-2': { single: 70, concatenated: 67 },
};

export const isGsm7Char = (char: string): boolean => GSM7_BASIC.has(char) || GSM7_EXTENSION.has(char);

/** True when every character of `text` is in the GSM-7 alphabet (basic or extension). */
export function isGsm7(text: string): boolean {
  for (const char of text) if (!isGsm7Char(char)) return false;
  return true;
}

/**
 * Segments of the widths in order: a character is never split between two segments (an extension
 * character's escape pair, a UTF-16 surrogate pair), so a segment may end a unit short.
 */
function pack(widths: number[], encoding: SmsEncoding): number {
  const total = widths.reduce((sum, width) => sum + width, 0);
  const { single, concatenated } = SIZES[encoding];
  if (total === 0) return 0;
  if (total <= single) return 1;
  let segments = 1;
  let used = 0;
  for (const width of widths) {
    if (used + width > concatenated) {
      segments += 1;
      used = 0;
    }
    used += width;
  }
  return segments;
}

/** The encoding, size and number of billed segments of one SMS body. */
export function countSegments(text: string): SegmentCount {
  const chars = [...text];
  if (chars.every(isGsm7Char)) {
    const widths = chars.map((char) => (GSM7_EXTENSION.has(char) ? 2 : 1));
    return { encoding: 'GSM-7', units: widths.reduce((a, b) => a + b, 0), segments: pack(widths, 'GSM-7') };
  }
  const widths = chars.map((char) => char.length);
  return { encoding: 'UCS-2', units: text.length, segments: pack(widths, 'UCS-2') };
}

/**
 * Replaces each letter GSM-7 lacks by its unaccented form when that one is GSM-7 (á→a, Í→I, ó→o,
 * ú→u, ç→c); GSM-7 letters (é, ñ, ü) and characters without a plain form stay as they are.
 */
export function foldToGsm7(text: string): string {
  let out = '';
  for (const char of text) {
    if (isGsm7Char(char)) {
      out += char;
      continue;
    }
    const plain = char.normalize('NFD').replace(/\p{Mn}+/gu, '');
    out += plain.length > 0 && isGsm7(plain) ? plain : char;
  }
  return out;
}
