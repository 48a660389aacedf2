import { oneLine } from '../../lib/plain-text.ts';

/**
 * The bounds of a change's texts, the same for `POST /api/bot/notify`, the poller and the DAG
 * (`dags/omnibot_common/notify.py`): every CMMS text is made one line (no line break that could pass
 * for another message, no control or bidirectional character) and cut at its bound, in characters.
 */
export const TEXT_LIMITS = {
  number: 100,
  equipment: 200,
  equipmentCode: 100,
  state: 100,
  name: 200,
  observations: 2000,
  priority: 50,
  /** The reported problem, as an assignment notice quotes it. */
  description: 120,
} as const;

/** A CMMS text as a chat may show it: one line, cleaned, at most `max` characters ("…" marks a cut). */
export const cleanText = (text: string, max: number): string => oneLine(text, max);

/**
 * An order number as read: cleaned, but cut only past its bound, so that a number too long to be
 * told whole stays too long (`numberProblem`) instead of being shown cut.
 */
export const cleanNumber = (text: string): string => oneLine(text, TEXT_LIMITS.number + 1);

/** Why an order's (cleaned) number cannot be told, or null: empty, or longer than its bound in UTF-16 units (as JS counts). */
export function numberProblem(number: string): string | null {
  if (!number) return 'number must be a non-empty string';
  if (number.length > TEXT_LIMITS.number) return `number exceeds ${TEXT_LIMITS.number} characters`;
  return null;
}

/** `<order id>:<sequence>`: two safe integers (the order's id positive). */
export function isChangeId(value: string): boolean {
  const match = /^(\d{1,16}):(\d{1,16})$/.exec(value);
  if (!match) return false;
  const orderId = Number(match[1]);
  return Number.isSafeInteger(orderId) && orderId > 0 && Number.isSafeInteger(Number(match[2]));
}
