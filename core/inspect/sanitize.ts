/**
 * What of a conversation may leave the process for an inspector: events and context with user
 * texts cut short and nothing else added. (The conversation context holds no secrets; this keeps
 * inspection payloads small and bounded.)
 */
const MAX_TEXT = 200;

function clip(value: unknown): unknown {
  if (typeof value === 'string') return value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}…` : value;
  if (Array.isArray(value)) return value.slice(0, 20).map(clip);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, clip(v)]));
  }
  return value;
}

export function sanitizeEvent(event: Record<string, unknown>): Record<string, unknown> {
  const { result, ...rest } = event;
  // Workflow results can be large (equipment lists): keep their shape's top level only.
  const summary =
    result && typeof result === 'object' ? Object.fromEntries(Object.keys(result).map((k) => [k, '…'])) : result;
  return clip(result === undefined ? rest : { ...rest, result: summary }) as Record<string, unknown>;
}

export function sanitizeContext(context: Record<string, unknown>): Record<string, unknown> {
  const { candidates, ...rest } = context;
  return clip({ ...rest, candidates: Array.isArray(candidates) ? candidates.length : 0 }) as Record<string, unknown>;
}
