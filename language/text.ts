import { foldText } from '../lib/fold-text.ts';

/**
 * Text as the slot extractors read it: the message (NFC), the same text folded character by character
 * (accents dropped, lower case, SAME LENGTH, so an offset in one is the offset in the other) and its
 * words. Spans found on the folded text cut the user's own spelling out of the original.
 */

export { foldText };

/** One word of the folded text (letters and digits), with its offsets in the text. */
export interface Word {
  /** Folded: "Camión" → "camion". */
  w: string;
  start: number;
  end: number;
}

/** A half-open range [start, end) of the text. */
export interface Span {
  start: number;
  end: number;
}

export interface ReadText {
  /** The message, NFC-normalized (what spans cut). */
  text: string;
  /** `text` folded with the same length. */
  folded: string;
  words: Word[];
}

const ASCII = /^[ -~\t\n\r]*$/;
const MARKS = /[\u0300-\u036f]/g;

/** Folded with the same length: each character alone ("Á" → "a", "ñ" → "n"); one that would not stay one character is kept. */
export function foldKeepingLength(text: string): string {
  if (ASCII.test(text)) return text.toLowerCase();
  let out = '';
  for (const char of text) {
    if (char.length === 1 && char.charCodeAt(0) < 128) {
      out += char.toLowerCase();
      continue;
    }
    const folded = char.normalize('NFD').replace(MARKS, '').toLowerCase();
    out += folded.length === char.length ? folded : char;
  }
  return out;
}

const WORD = /[a-z0-9]+/g;

/** The words of folded text with their offsets. */
export function wordsOf(folded: string): Word[] {
  const list: Word[] = [];
  for (const match of folded.matchAll(WORD))
    list.push({ w: match[0], start: match.index, end: match.index + match[0].length });
  return list;
}

/** The message read once for every extractor. */
export function readText(message: string): ReadText {
  const text = message.normalize('NFC');
  const folded = foldKeepingLength(text);
  return { text, folded, words: wordsOf(folded) };
}

/** The text with the spans cut out (each replaced by one space); spans may overlap, in any order. */
export function cutSpans(text: string, spans: readonly Span[]): string {
  if (spans.length === 0) return text;
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const span of sorted) {
    if (span.start > at) out += text.slice(at, span.start);
    if (span.end > at) {
      out += ' ';
      at = span.end;
    }
  }
  return out + text.slice(at);
}
