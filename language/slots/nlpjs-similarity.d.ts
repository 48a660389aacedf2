/** The part of `@nlpjs/similarity` the slot extractors use (the package ships no types). */
declare module '@nlpjs/similarity' {
  /** Levenshtein distance between two strings. */
  export function leven(left: string, right: string): number;
}
