import { redactLinkCodes } from '../identity/redact.ts';

/**
 * What of a conversation may leave the process for an inspector or an operator's timeline: events
 * and context with user texts cut short, one-time link codes redacted and nothing else added. (The
 * conversation context holds no secrets; the key filter is a second belt: a value under a key that
 * names a secret is never sent.)
 */
export const MAX_TEXT = 200;

const SECRET_KEY = /token|secret|password|authorization|credential|sealed/i;

/** Strings redacted and cut at 200 characters, lists cut at 20 items, secret-named keys dropped. */
export function clip(value: unknown): unknown {
  if (typeof value === 'string') {
    const text = redactLinkCodes(value);
    return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
  }
  if (Array.isArray(value)) return value.slice(0, 20).map(clip);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([key]) => !SECRET_KEY.test(key))
        .map(([k, v]) => [k, clip(v)]),
    );
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
