import type { AgentLabel } from '../core/runtime/model.ts';

/**
 * How a person's reply in a hand-off is signed: "Ana (supervisora)" from the operator's name and role,
 * each trimmed and kept only when it has 1 to 40 characters and no control characters (a bad role is
 * left out; a bad or missing name signs as "Operador").
 */

/** The label of a reply whose author is not known (or not valid). */
export const DEFAULT_AGENT_LABEL = 'Operador';
const MAX_LENGTH = 40;
/** Control characters, line and paragraph separators, and the bidirectional overrides (a spoofed label). */
const FORBIDDEN = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/** The part trimmed, or undefined when it is not a valid one. */
function labelPart(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const part = value.trim();
  const length = [...part].length;
  return length >= 1 && length <= MAX_LENGTH && !FORBIDDEN.test(part) ? part : undefined;
}

export function agentLabel(agent: Partial<AgentLabel> | undefined): string {
  const name = labelPart(agent?.name);
  if (!name) return DEFAULT_AGENT_LABEL;
  const role = labelPart(agent?.role);
  return role ? `${name} (${role})` : name;
}
