import { foldText } from '../lib/fold-text.ts';

/**
 * The technician an order is to be assigned to, in the user's own words (part of the intent
 * matcher): from a whole command, from an answer to "¿A qué técnico…?", or a number picked from
 * the offered list.
 */

/** The verbs of an assignment: "asignar", "reasignar", "pásale", "pasar la OT … a …". */
export const ASSIGN_VERBS = [
  'asignar',
  'asigna',
  'asignale',
  'asignarle',
  'asignala',
  'asignarla',
  'reasignar',
  'reasigna',
  'reasignale',
  'reasignarle',
  'reasignala',
  'reasignarla',
];
/** "pasar" only assigns with a name after the order ("pásale la OT-4 a María"). */
export const PASS_VERBS = ['pasale', 'pasarle', 'pasala', 'pasarla', 'pasar', 'pasa'];

const ARTICLE = String.raw`(?:(?:el|la)\s+)?(?:t[eé]cnic[oa]\s+)?`;
const VERB = String.raw`(?:(?:re)?asign\S*|p[aá]s(?:a|ale|ala|ar|arle|arla))`;
/** Courtesy at the end of a name: "a Carla Rojas por favor", "a María, gracias". */
const COURTESY = /(?:[\s,;.!]+(?:por\s+favor|porfa(?:vor)?|please|pls|gracias|muchas\s+gracias))+[\s.!?¡¿,;:]*$/iu;

/** A name as written, without end punctuation and courtesy words; undefined when nothing is left. */
function clean(name: string | undefined): string | undefined {
  const trimmed = name
    ?.replace(/[.!?¡¿,;:]+$/u, '')
    .trim()
    .replace(COURTESY, '')
    .replace(/[.!?¡¿,;:]+$/u, '')
    .trim();
  return trimmed || undefined;
}

/**
 * Who an order is to be assigned to, from the user's own words (case and accents kept):
 * "asignar OT-1 a Juan Pérez", "asigna la OT 5 al técnico Pedro", "asignar a Pedro la OT-5",
 * "pásale la OT-4 a María por favor" → "María".
 */
export function findTechnicianQuery(text: string): string | undefined {
  const after = new RegExp(String.raw`\bot\b.*?\s(?:a|al|para)\s+${ARTICLE}(.+)$`, 'iu').exec(text);
  if (after) return clean(after[1]);
  const before = new RegExp(String.raw`\b${VERB}\s+(?:a|al)\s+${ARTICLE}(.+?)\s+(?:la\s+)?(?:ot|orden)\b`, 'iu').exec(
    text,
  );
  return clean(before?.[1]);
}

/**
 * An answer to "¿A qué técnico asigno…?" as a name to look for: "asignar a María" and "a María"
 * are "María"; courtesy words go. Empty when nothing is left.
 */
export function technicianAnswer(text: string): string {
  const name = text
    .trim()
    .replace(new RegExp(String.raw`^${VERB}?\s*(?:a|al|para)(?:\s+|$)${ARTICLE}`, 'iu'), '')
    .replace(new RegExp(String.raw`^${VERB}\s+`, 'iu'), '');
  return clean(name) ?? '';
}

/** A number picked from a numbered list ("3", "3.", "el 3", "n° 3", "#3"); undefined for anything else. */
export function pickedNumber(text: string): number | undefined {
  const match = /^(?:el\s+|la\s+)?(?:n[°o]?\.?\s*|numero\s+|#\s*|opcion\s+)?(\d{1,2})\s*[.)]?$/.exec(foldText(text));
  return match ? Number(match[1]) : undefined;
}
