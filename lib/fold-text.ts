/**
 * Text folded for matching: accents stripped (NFD, combining marks dropped: "Camión" → "camion"),
 * lower-cased, runs of whitespace made one space, trimmed. Language-neutral.
 */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}
