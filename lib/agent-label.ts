import { hasWords, oneLine } from './plain-text.ts';

/**
 * How a person's reply in a hand-off is signed: "Ana (supervisora)", from the operator's name and
 * role. One rule for the API that checks them (core/admin/agent-label.ts) and the machine that signs.
 */

/** The label of a reply whose author is not known. */
export const DEFAULT_AGENT_LABEL = 'Operador';
/** Words that would let a person pass for the assistant itself. */
const RESERVED = /\b(asistente|bot|omnibot|chatbot|sistema)\b/iu;
/** The longest name or role an operator may sign with. */
export const MAX_AGENT_LABEL = 40;

/**
 * Why a name or role cannot sign a reply, or null when it can: at most 40 characters, a letter or a
 * digit in it, and nothing that `oneLine` would change besides the outer spaces (control and
 * invisible characters, line breaks, combining marks piled on a letter), so the label reads as typed.
 */
export function labelPartProblem(text: string): string | null {
  const trimmed = text.trim();
  if ([...trimmed].length > MAX_AGENT_LABEL) return `is at most ${MAX_AGENT_LABEL} characters`;
  if (oneLine(trimmed, MAX_AGENT_LABEL) !== trimmed.normalize('NFC') || /\p{M}{2,}/u.test(trimmed.normalize('NFC'))) {
    return 'must not contain control or invisible characters';
  }
  if (!hasWords(trimmed)) return 'must contain a letter or a digit';
  // The label is followed by ": " and a role sits in brackets: its own would read "Ana:: …" or "(sup))".
  if (/[:()[\]]/.test(trimmed)) return 'must not contain ":" or brackets';
  if (RESERVED.test(trimmed)) return 'must not pass for the assistant';
  return null;
}

/** "Ana (supervisora)"; a name or role that breaks the rule is left out ("Operador" without a name). */
export function agentLabel(agent: { name?: unknown; role?: unknown } | undefined): string {
  const valid = (value: unknown): string | undefined =>
    typeof value === 'string' && value.trim() && labelPartProblem(value) === null
      ? value.trim().normalize('NFC')
      : undefined;
  const name = valid(agent?.name);
  if (!name) return DEFAULT_AGENT_LABEL;
  const role = valid(agent?.role);
  return role ? `${name} (${role})` : name;
}
