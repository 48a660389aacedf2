/** Word tests on folded text (lower case, no accents), shared by the intent matcher's modules. */

const wordPatterns = new Map<string, RegExp>();

/** True when one of the words (or phrases) stands alone in the folded text; the patterns are built once. */
export function hasWord(text: string, ...words: string[]): boolean {
  return words.some((word) => {
    let pattern = wordPatterns.get(word);
    if (!pattern) {
      pattern = new RegExp(`(^|[^a-z0-9])${word}([^a-z0-9]|$)`);
      wordPatterns.set(word, pattern);
    }
    return pattern.test(text);
  });
}

/** The words of folded text (`confirm:yes` stays one word). */
export const words = (t: string) => t.split(/[^a-z0-9:]+/).filter(Boolean);
