/** Splitting long texts for channels with a length limit (UTF-16 code units, as the platforms count). */

const BREAKS = ['\n\n', '\n', '. ', ' '];

/** Avoids cutting a surrogate pair (an emoji) in two. */
function safeCut(text: string, at: number): number {
  const code = text.charCodeAt(at - 1);
  return code >= 0xd800 && code <= 0xdbff ? at - 1 : at;
}

/** Where the first chunk of at most `max` units ends: the last paragraph, line, sentence or word break. */
function headEnd(text: string, max: number): number {
  const window = text.slice(0, max + 1);
  for (const separator of BREAKS) {
    const at = window.lastIndexOf(separator);
    if (at >= max / 2) return separator === '. ' ? at + 1 : at;
  }
  return safeCut(text, max);
}

/** Chunks of at most `max` units, broken at paragraphs, lines, sentences or words when possible. */
export function splitText(text: string, max: number): string[] {
  const chunks: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const end = Math.max(1, headEnd(rest, max));
    chunks.push(rest.slice(0, end).trimEnd());
    rest = rest.slice(end).trimStart();
  }
  if (rest.length > 0 || chunks.length === 0) chunks.push(rest);
  return chunks;
}

/** Splits off a last part of at most `max` units (e.g. an interactive body) from a head sent before it. */
export function splitTail(text: string, max: number): { head: string; tail: string } {
  const trimmed = text.trim();
  if (trimmed.length <= max) return { head: '', tail: trimmed };
  const from = trimmed.length - max;
  const window = trimmed.slice(from);
  for (const separator of BREAKS) {
    const at = window.indexOf(separator);
    if (at >= 0 && at <= max / 2) {
      const cut = from + at + separator.length;
      return { head: trimmed.slice(0, cut).trimEnd(), tail: trimmed.slice(cut).trimStart() };
    }
  }
  const code = trimmed.charCodeAt(from);
  const cut = code >= 0xdc00 && code <= 0xdfff ? from + 1 : from;
  return { head: trimmed.slice(0, cut), tail: trimmed.slice(cut) };
}

/** Shortens a label to `max` units with an ellipsis. */
export function truncate(text: string, max: number): string {
  const trimmed = text.trim();
  if (trimmed.length <= max) return trimmed;
  return trimmed.slice(0, safeCut(trimmed, max - 1)).trimEnd() + '…';
}
