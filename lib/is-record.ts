/** A JSON object: not null, not a list (a parsed body's fields may be read from it). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
