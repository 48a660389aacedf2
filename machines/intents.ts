import { foldText } from '../lib/fold-text.ts';

export { MAX_MINUTES, parseMinutes } from './minutes.ts';

/**
 * Spanish intent matcher: keywords on normalized text (case and accents ignored), in the original
 * bot's order, plus the intents omnibot adds (pending orders, a person, cancel, the linked account,
 * the person's own orders and the technician's and supervisor's actions, personal data).
 */

export type Intent =
  | 'cancel'
  | 'handoff'
  | 'report_failure'
  | 'work_order_status'
  | 'pending_work_orders'
  | 'list_equipment'
  | 'help'
  | 'greeting'
  | 'thanks'
  | 'link'
  | 'unlink'
  | 'my_orders'
  | 'my_assigned_orders'
  | 'unassigned_orders'
  | 'start_order'
  | 'complete_order'
  | 'assign_order'
  | 'erase_data'
  | 'unknown';

export interface IntentMatch {
  intent: Intent;
  /** A work-order number found in the text, canonical (`OT-CORR-1`). */
  workOrder?: string;
  /** `assign_order`: who to assign it to, as the user wrote it ("asignar OT-1 a Juan Pérez" → "Juan Pérez"). */
  technician?: string;
}

export type Priority = 'Baja' | 'Media' | 'Alta' | 'Crítica';

/** Lower case, no accents, collapsed spaces (the folding the CMMS client matches with too). */
export const normalize = foldText;

/** Answers to "¿En qué equipo?" that ask to see every equipment (looked up with an empty query). */
const EQUIPMENT_LIST_QUERIES = new Set(['equipos', 'equipo', 'lista', 'listar', 'listar equipos', 'ver equipos', '?']);

/** The equipment lookup's query for a user's answer: empty (every equipment) when they ask for the list. */
export function equipmentQuery(answer: string): string {
  return EQUIPMENT_LIST_QUERIES.has(normalize(answer)) ? '' : answer.trim();
}

const wordPatterns = new Map<string, RegExp>();

/** True when one of the words stands alone in the (normalized) text; the patterns are built once. */
function hasWord(text: string, ...words: string[]): boolean {
  return words.some((word) => {
    let pattern = wordPatterns.get(word);
    if (!pattern) {
      pattern = new RegExp(`(^|[^a-z0-9])${word}([^a-z0-9]|$)`);
      wordPatterns.set(word, pattern);
    }
    return pattern.test(text);
  });
}

/** Order-type codes of the CMMS numbers (`OT-CORR-…`, `OT-PREV-…`), for the spaced form `ot corr 1`. */
const ORDER_TYPES = 'corr|prev|pred|mejo|mej|insp|emer';

/**
 * `OT-CORR-1`, `ot-corr-cat-001-20261124170414-768`, `ot corr 1`, `OT CORR-1`, `OT 15`, `OT n° 15`
 * → canonical upper case (`OT-CORR-1`, `OT-15`). "la OT del 15" is not a number.
 */
export function findWorkOrderNumber(text: string): string | undefined {
  const t = normalize(text);
  const hyphenated = /(?:^|[^a-z0-9])ot[-_]([a-z0-9]+(?:[-_][a-z0-9]+)*)/.exec(t);
  if (hyphenated?.[1]) return `OT-${hyphenated[1].replace(/_/g, '-')}`.toUpperCase();
  const spaced = new RegExp(`(?:^|[^a-z0-9])ot\\s*[-_]?\\s*(${ORDER_TYPES})\\s*[-_]?\\s*(\\d+)(?![a-z0-9])`).exec(t);
  if (spaced?.[1] && spaced[2]) return `OT-${spaced[1]}-${spaced[2]}`.toUpperCase();
  const numbered = /(?:^|[^a-z0-9])ot\s*(?:n[°o]?\.?\s*|numero\s*|#\s*)?(\d+)(?![a-z0-9])/.exec(t);
  if (numbered?.[1]) return `OT-${numbered[1]}`;
  return undefined;
}

const words = (t: string) => t.split(/[^a-z0-9:]+/).filter(Boolean);

/**
 * A short message with a cancel word, or one starting with "cancelar": "Reiniciar el PLC no
 * soluciona la falla" is a description, not a cancel.
 */
function isCancel(t: string): boolean {
  const list = words(t);
  return (
    ['cancelar', 'cancela', 'cancel'].includes(list[0] ?? '') ||
    (list.length <= 3 && hasWord(t, 'cancelar', 'cancela', 'cancel', 'salir', 'reiniciar', 'olvidalo', 'detener'))
  );
}

const HANDOFF =
  /\b(hablar|comunicar(me)?|contactar|pasame|pasar)\b.*\b(persona|humano|supervisor|agente|alguien|operador)\b|\bagente humano\b/;
const FAILURE_WORDS = [
  'falla',
  'fallas',
  'fallo',
  'averia',
  'averiado',
  'averiada',
  'desperfecto',
  'problema',
  'roto',
  'rota',
];
const REPORT_VERBS = ['reportar', 'reporto', 'reporte', 'informar', 'registrar', 'notificar', 'avisar'];

const ERASE = /\b(borrar|borra|borren|eliminar|elimina|eliminen|suprimir)\b.*\b(mis datos|datos personales)\b/;
const UNLINK = /\bdesvincul|\b(cerrar|cierra|cierro) (mi |la )?sesion\b|\blog ?out\b|\bdesconectar (mi )?cuenta\b/;
const LINK =
  /\bvincul(ar|a|arme|o)\b|\b(iniciar|inicia|inicio) (mi |la )?sesion\b|\blog ?in\b|\bconectar (mi )?cuenta\b/;
const ORDER_WORDS = ['ot', 'ots', 'orden', 'ordenes'];
const MENTIONS_ORDER = (t: string) => hasWord(t, ...ORDER_WORDS);
const START_VERBS = ['iniciar', 'inicia', 'comenzar', 'comienza', 'empezar', 'empieza'];
const COMPLETE_VERBS = ['completar', 'completa', 'complete', 'terminar', 'termina', 'termine', 'cerrar', 'cierra'];
const COMPLETE_MORE = ['finalizar', 'finaliza', 'finalice'];
const ASSIGN_VERBS = ['asignar', 'asigna', 'asignale', 'asignarle', 'asignala', 'asignarla'];

/** A command: one of the verbs comes before the order ("cerrar la OT-5"; not "¿la OT-5 está completa?"). */
function commands(t: string, verbs: string[]): boolean {
  const list = words(t);
  const verb = list.findIndex((w) => verbs.includes(w));
  const order = list.findIndex((w) => ORDER_WORDS.includes(w));
  return verb >= 0 && order >= 0 && verb < order;
}

/** The account, personal data and the person's own orders; undefined for anything else. */
function personalIntent(t: string, workOrder: string | undefined, text: string): IntentMatch | undefined {
  if (ERASE.test(t)) return { intent: 'erase_data' };
  if (UNLINK.test(t)) return { intent: 'unlink' };
  if (LINK.test(t)) return { intent: 'link' };
  if (/\bsin (asignar|tecnico)\b/.test(t)) return { intent: 'unassigned_orders' };
  const assigned = /\basignadas?\b|\bmis asignaciones\b/.test(t);
  if (!workOrder && assigned && (MENTIONS_ORDER(t) || hasWord(t, 'mis', 'mi'))) return { intent: 'my_assigned_orders' };
  const withOrder = (intent: Intent): IntentMatch => (workOrder ? { intent, workOrder } : { intent });
  if (commands(t, ASSIGN_VERBS)) {
    const technician = workOrder ? findTechnicianQuery(text) : undefined;
    return technician ? { ...withOrder('assign_order'), technician } : withOrder('assign_order');
  }
  if (commands(t, START_VERBS)) return withOrder('start_order');
  if (commands(t, [...COMPLETE_VERBS, ...COMPLETE_MORE])) return withOrder('complete_order');
  if (/\bmis (ot|ots|ordenes)\b/.test(t)) return { intent: 'my_orders' };
  return undefined;
}

/**
 * Who an order is to be assigned to, from the user's own words (case and accents kept):
 * "asignar OT-1 a Juan Pérez", "asigna la OT 5 al técnico Pedro", "asignar a Pedro la OT-5".
 */
export function findTechnicianQuery(text: string): string | undefined {
  const clean = (name: string | undefined) => name?.replace(/[.!?¡¿,;:]+$/u, '').trim() || undefined;
  const article = String.raw`(?:(?:el|la)\s+)?(?:t[eé]cnic[oa]\s+)?`;
  const after = new RegExp(String.raw`\bot\b.*?\s(?:a|al|para)\s+${article}(.+)$`, 'iu').exec(text);
  if (after) return clean(after[1]);
  const before = new RegExp(String.raw`\basign\S*\s+(?:a|al)\s+${article}(.+?)\s+(?:la\s+)?(?:ot|orden)\b`, 'iu').exec(
    text,
  );
  return clean(before?.[1]);
}

export function detectIntent(text: string): IntentMatch {
  const t = normalize(text);
  const workOrder = findWorkOrderNumber(t);
  const withOrder = (intent: Intent): IntentMatch => (workOrder ? { intent, workOrder } : { intent });
  const list = words(t);

  if (!t) return { intent: 'unknown' };
  if (isCancel(t)) return { intent: 'cancel' };
  if (list.length <= 4 && hasWord(t, 'gracias', 'agradezco')) return { intent: 'thanks' };
  if (HANDOFF.test(t)) return { intent: 'handoff' };
  const personal = personalIntent(t, workOrder, text);
  if (personal) return personal;
  // "reportar falla" as the original bot; a failure named without an OT number is a report too.
  const failure = hasWord(t, ...FAILURE_WORDS) || /\bmal estado\b/.test(t);
  if ((failure && (hasWord(t, ...REPORT_VERBS) || !workOrder)) || (hasWord(t, ...REPORT_VERBS) && list.length <= 2)) {
    return { intent: 'report_failure' };
  }
  if (hasWord(t, 'estado', 'consultar', 'consulta') || workOrder) return withOrder('work_order_status');
  if (
    hasWord(t, 'pendientes', 'pendiente', 'abiertas') ||
    (hasWord(t, 'listar', 'lista', 'ver') && hasWord(t, 'ot', 'ots', 'ordenes'))
  ) {
    return { intent: 'pending_work_orders' };
  }
  if (hasWord(t, 'equipos', 'maquinas', 'maquinaria', 'flota', 'listar', 'lista')) return { intent: 'list_equipment' };
  if (
    hasWord(t, 'ayuda', 'help', 'menu', 'opciones', 'comandos') ||
    t === '?' ||
    /que puedes hacer|como funciona/.test(t)
  ) {
    return { intent: 'help' };
  }
  if (hasWord(t, 'hola', 'buenos', 'buenas', 'saludos', 'hey', 'alo', 'wena', 'buena')) return { intent: 'greeting' };
  return { intent: 'unknown' };
}

/** A Map, not an object: a word such as "constructor" must not find an inherited property. */
const PRIORITIES: ReadonlyMap<string, Priority> = new Map([
  ['baja', 'Baja'],
  ['1', 'Baja'],
  ['media', 'Media'],
  ['2', 'Media'],
  ['alta', 'Alta'],
  ['3', 'Alta'],
  ['critica', 'Crítica'],
  ['urgente', 'Crítica'],
  ['4', 'Crítica'],
]);

/** `alta`, `Crítica`, `3`, `priority:alta` → the CMMS priority; undefined when none matches ("no es urgente"). */
export function parsePriority(text: string): Priority | undefined {
  const t = normalize(text).replace(/^priority:/, '');
  const tokens = t.split(/[^a-z0-9]+/);
  for (const [i, token] of tokens.entries()) {
    const match = PRIORITIES.get(token);
    const negated = tokens.slice(Math.max(0, i - 2), i).includes('no');
    if (match && !negated) return match;
  }
  return undefined;
}

const YES = [
  'si',
  'sii',
  'sipo',
  'yes',
  'confirmar',
  'confirmo',
  'ok',
  'okey',
  'dale',
  'correcto',
  'afirmativo',
  'ya',
  'claro',
  'bueno',
  'listo',
  'perfecto',
  'de acuerdo',
];

/** `sí`/`ya po`/`confirmar`/`ok` → true, `no` (first, whatever follows) → false, anything else → undefined. */
export function parseConfirmation(text: string): boolean | undefined {
  const t = normalize(text);
  if (t === 'confirm:yes') return true;
  if (t === 'confirm:no' || words(t)[0] === 'no' || hasWord(t, 'negativo')) return false;
  const yes = hasWord(t, ...YES);
  const no = hasWord(t, 'no');
  if (yes && no) return undefined; // "ok no", "sí, no sé": ask again
  return yes ? true : no ? false : undefined;
}
