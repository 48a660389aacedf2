/**
 * One typo put into a message, the same one every time (chosen by a hash of the text): in one word of five
 * letters or more, a letter dropped, doubled, swapped with the next one or replaced. The cross-validation
 * reads the held-out fold with it too, to measure how the classifier copes with typos in phrasings it
 * never saw (the typos of the corpus itself are few).
 */

const REPLACEMENTS = 'aeioursnlcdtm';

function hash(text: string): number {
  let h = 0;
  for (const char of text) h = (Math.imul(h, 31) + char.charCodeAt(0)) >>> 0;
  return h;
}

export function withTypo(text: string): string {
  const words = text.split(' ');
  const long = words.flatMap((word, i) => (/^[a-záéíóúñü]{5,}$/i.test(word) ? [i] : []));
  if (long.length === 0) return text;
  const h = hash(text);
  const i = long[h % long.length]!;
  const word = words[i]!;
  const at = 1 + ((h >>> 4) % (word.length - 2));
  const [before, letter, next, after] = [word.slice(0, at), word[at]!, word[at + 1]!, word.slice(at + 2)];
  const kind = (h >>> 8) % 4;
  words[i] =
    kind === 0
      ? before + next + after
      : kind === 1
        ? before + letter + letter + next + after
        : kind === 2
          ? before + next + letter + after
          : before + REPLACEMENTS[(h >>> 12) % REPLACEMENTS.length] + next + after;
  return words.join(' ');
}
