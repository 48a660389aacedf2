/**
 * Text from elsewhere (the CMMS, an operator) made safe to show inside a chat message: no control or
 * invisible format characters (bidirectional overrides, zero-width marks), no line breaks (a line of
 * its own could pass for a message of the assistant), whitespace collapsed, at most `maxLength`
 * characters (code points; "…" marks a cut).
 */
const LINE_BREAKS = /[\r\n\u0085\u2028\u2029]+/gu;
/** Control and format characters, and the letters that render blank (Hangul fillers, the blank Braille cell). */
const INVISIBLE = /[\p{Cc}\p{Cf}\u115f\u1160\u3164\uffa0\u2800]/gu;

export function oneLine(text: string, maxLength: number): string {
  const flat = text.normalize('NFC').replace(LINE_BREAKS, ' ').replace(INVISIBLE, '').replace(/\s+/gu, ' ').trim();
  const chars = [...flat];
  return chars.length <= maxLength
    ? flat
    : `${chars
        .slice(0, Math.max(0, maxLength - 1))
        .join('')
        .trimEnd()}…`;
}

/** True when the text has something to read (a letter or a digit), not only marks or symbols. */
export function hasWords(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text);
}
