import { foldText } from '../lib/fold-text.ts';
import { smallTalk } from './answers.ts';
import { notificationCommand } from './notification-commands.ts';
import { ASSIGN_VERBS, findTechnicianQuery, PASS_VERBS } from './technician-query.ts';
import { hasWord, words } from './words.ts';

export { type Priority, parseConfirmation, parsePriority } from './answers.ts';
export { durationText, LONG_MINUTES, MAX_MINUTES, parseMinutes } from './minutes.ts';
export { findTechnicianQuery, pickedNumber, technicianAnswer } from './technician-query.ts';

/**
 * Spanish intent matcher: keywords on normalized text (case and accents ignored), in the original
 * bot's order, plus the intents omnibot adds (pending orders, a person, cancel, the linked account,
 * the person's own orders and the technician's and supervisor's actions, personal data).
 * `my_pending` ("mis pendientes", "qué tengo asignado") is what the user has to do: a technician's
 * assigned orders, anyone else's own orders.
 */

/** Every intent, once: the type, the classifier's labels and the metrics' labels come from it. */
export const INTENTS = [
  'cancel',
  'handoff',
  'report_failure',
  'work_order_status',
  'pending_work_orders',
  'list_equipment',
  'help',
  'greeting',
  'thanks',
  'farewell',
  'acknowledge',
  'link',
  'unlink',
  'my_orders',
  'my_assigned_orders',
  'my_pending',
  'unassigned_orders',
  'start_order',
  'complete_order',
  'assign_order',
  'erase_data',
  'notifications_off',
  'notifications_on',
  'notifications_info',
  'unknown',
] as const;

export type Intent = (typeof INTENTS)[number];

const INTENT_SET: ReadonlySet<string> = new Set(INTENTS);

/** Whether a label (a classifier's, a button's) is one of the intents. */
export const isIntent = (label: string): label is Intent => INTENT_SET.has(label);

export interface IntentMatch {
  intent: Intent;
  /** A work-order number found in the text, canonical (`OT-CORR-1`). */
  workOrder?: string;
  /** `assign_order`: who to assign it to, as the user wrote it ("asignar OT-1 a Juan Pérez" → "Juan Pérez"). */
  technician?: string;
  /** The notifications' switch asked for one order ("no más avisos de la OT-CORR-1"): it applies to all. */
  oneOrder?: true;
}

/** Lower case, no accents, collapsed spaces (the folding the CMMS client matches with too). */
export const normalize = foldText;

/** Answers to "¿En qué equipo?" that ask to see every equipment (looked up with an empty query). */
const EQUIPMENT_LIST_QUERIES = new Set(['equipos', 'equipo', 'lista', 'listar', 'listar equipos', 'ver equipos', '?']);

/** The equipment lookup's query for a user's answer: empty (every equipment) when they ask for the list. */
export function equipmentQuery(answer: string): string {
  return EQUIPMENT_LIST_QUERIES.has(normalize(answer)) ? '' : answer.trim();
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
  const byWord = ORDER_BY_WORD.exec(t);
  if (byWord?.[1]) return `OT-${byWord[1]}`;
  return undefined;
}

/** "la orden 18", "orden número 18", "orden de trabajo n° 18" (not "la orden de compra 18"). */
const ORDER_BY_WORD =
  /(?:^|[^a-z0-9])orden(?: de trabajo)?\s*(?:n[°o]?\.?\s*|numero\s*|nro\.?\s*|#\s*)?(\d+)(?![a-z0-9])/;

/** The text with "orden 12" written "OT 12", for the technician's finder, which reads names after an OT. */
export const orderWordAsOt = (text: string) =>
  text.replace(/\b[oó]rden(?:\s+de\s+trabajo)?(?=\s*(?:n[°º]?\.?|n[uú]mero|nro\.?|#)?\s*\d)/giu, 'OT');

/** Whole messages that drop what was being done ("no importa", "mejor no", "déjalo así no más"). */
const CANCEL_ALONE =
  /^(?:(?:no importa|mejor no|olvidalo|olvida eso|dejalo(?: asi| ahi)?(?: no mas)?|deja eso|dejemoslo(?: asi| ahi| hasta aqui)?|stop|basta|anula eso|para|pare|paren|ya no|no sigas|no sigamos|no (?:quiero )?(?:seguir|continuar))(?: |$))+$/;

/**
 * A short message with a cancel word, or one starting with "cancelar": "Reiniciar el PLC no
 * soluciona la falla" is a description, not a cancel.
 */
function isCancel(t: string): boolean {
  const list = words(t);
  return (
    CANCEL_ALONE.test(list.join(' ')) ||
    ['cancelar', 'cancela', 'cancel'].includes(list[0] ?? '') ||
    (list.length <= 3 &&
      hasWord(
        t,
        'cancelar',
        'cancela',
        'cancel',
        'salir',
        'reiniciar',
        'olvidalo',
        'detener',
        'anular',
        'anula',
        'dejalo',
      ))
  );
}

const PERSON = '(?:persona|humano|supervisor|agente|operador|encargado|jefe|ejecutivo)';
/** A person asked for in any phrasing: "hablar con un supervisor", "necesito un supervisor", "humano". */
const HANDOFF = new RegExp(
  [
    `\\b(?:hablar|comunicar(?:me)?|comunicame|contactar(?:me)?|pasame|pasar|derivar(?:me)?|derivame)\\b.*\\b(?:${PERSON}|alguien)\\b`,
    `\\b(?:necesito|quiero|kiero|busco)(?: a| al| con)?(?: un| una| el| la)? ${PERSON}\\b`,
    `^(?:un |una |el |la )?${PERSON}(?: humano| real)?(?: porfa| por favor)?[.!?]*$`,
    '\\bagente humano\\b',
    '\\b(?:llamenme|llamame|me (?:pueden|puede|podrian) (?:llamar|contactar))\\b',
    '\\bcon quien (?:hablo|puedo hablar)\\b',
    '\\bno quiero hablar con (?:un |una |el |la )?(?:bot|robot|maquina)\\b',
  ].join('|'),
);
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
export const REPORT_VERBS = ['reportar', 'reporto', 'reporte', 'informar', 'registrar', 'notificar', 'avisar'];

const ERASE =
  /\b(borrar|borra|borren|eliminar|elimina|eliminen|suprimir)\b.*\b(mis datos|datos personales|mi informacion|informacion personal)\b/;
const UNLINK =
  /\bdesvincul|\b(cerrar|cierra|cierro) (mi |la )?sesion\b|\blog ?out\b|\bdesconectar (mi )?cuenta\b|\bdeslogue|\bdesasoci|\b(quitar|quita|quitame|eliminar|borrar) (la |mi )?vinculacion\b|\bno quiero (seguir |estar )?vinculad/;
const LINK =
  /\bvincul(ar|a|arme|o)\b|\b(iniciar|inicia|inicio) (mi |la )?sesion\b|\blog ?in\b|\bconectar (mi )?cuenta\b|\blogue(ar|arme|o)\b|\b(asociar|enlazar) (mi )?cuenta\b/;
const ORDER_WORDS = ['ot', 'ots', 'orden', 'ordenes'];
const MENTIONS_ORDER = (t: string) => hasWord(t, ...ORDER_WORDS);
const START_VERBS = ['iniciar', 'inicia', 'comenzar', 'comienza', 'comienzo', 'empezar', 'empieza', 'empiezo', 'parto'];
const COMPLETE_VERBS = [
  'completar',
  'completa',
  'complete',
  'terminar',
  'termina',
  'termine',
  'termino',
  'cerrar',
  'cierra',
  'cierro',
  'cerre',
];
const COMPLETE_MORE = ['finalizar', 'finaliza', 'finalice', 'finalizo'];

/** A command: one of the verbs comes before the order ("cerrar la OT-5"; not "¿la OT-5 está completa?"). */
function commands(t: string, verbs: string[]): boolean {
  const list = words(t);
  const verb = list.findIndex((w) => verbs.includes(w));
  const order = list.findIndex((w) => ORDER_WORDS.includes(w));
  return verb >= 0 && order >= 0 && verb < order;
}

const MY_PENDING =
  /^(?:ver |quiero ver )?mis (?:pendientes|asignadas|asignados|tareas)$|\bque tengo (?:asignad[oa]s?|pendientes?|que hacer)\b|\bque me toca\b|\bmi pega\b/;
/** What the user reported or created: "las OT que he levantado", "las fallas que reporté", "lo que he reportado". */
const MY_REPORTS =
  /\b(?:(?:las|los) (?:ot|ots|ordenes|fallas|reportes)|lo) que (?:yo )?(?:he )?(?:reporte|reportado|cree|creado|levante|levantado|pedi|pedido)\b|\b(?:ot|ots|ordenes) (?:creadas|reportadas|levantadas) por mi\b/;
/** The verbs of the order actions. */
export const ORDER_VERBS: ReadonlyMap<string, Intent> = new Map([
  ...START_VERBS.map((verb) => [verb, 'start_order'] as const),
  ...[...COMPLETE_VERBS, ...COMPLETE_MORE].map((verb) => [verb, 'complete_order'] as const),
  ...ASSIGN_VERBS.map((verb) => [verb, 'assign_order'] as const),
]);
/** A verb alone asks which order; not "cerrar" or "terminar", which may mean the chat. */
const BARE_VERBS = new Set(['iniciar', 'comenzar', 'empezar', 'completar', 'finalizar', 'asignar', 'reasignar']);

/** The account, personal data and the person's own orders; undefined for anything else. */
function personalIntent(t: string, workOrder: string | undefined, text: string): IntentMatch | undefined {
  if (ERASE.test(t)) return { intent: 'erase_data' };
  if (UNLINK.test(t)) return { intent: 'unlink' };
  if (LINK.test(t)) return { intent: 'link' };
  if (
    /\bsin (asignar|asignacion|tecnico|responsable|dueno)\b|\bno tienen? (tecnico|responsable|a nadie)\b|\bno (estan )?asignad[oa]s\b|\b(por|pendientes? de) asignar\b|\bpendientes? de asignacion\b/.test(
      t,
    )
  ) {
    return { intent: 'unassigned_orders' };
  }
  const assigned = /\basignadas?\b|\bmis asignaciones\b|\bme (asignaron|han asignado)\b/.test(t);
  // "las órdenes que tengo asignadas" are orders; "¿qué tengo asignado?" is what there is to do.
  if (!workOrder && assigned && MENTIONS_ORDER(t)) return { intent: 'my_assigned_orders' };
  if (MY_PENDING.test(t.replace(/[?!.]+$/, ''))) return { intent: 'my_pending' };
  if (!workOrder && assigned && (MENTIONS_ORDER(t) || hasWord(t, 'mis', 'mi'))) return { intent: 'my_assigned_orders' };
  const withOrder = (intent: Intent): IntentMatch => (workOrder ? { intent, workOrder } : { intent });
  const bare = words(t);
  if (bare.length === 1 && BARE_VERBS.has(bare[0]!)) return { intent: ORDER_VERBS.get(bare[0]!)! };
  const passesTo = workOrder && commands(t, PASS_VERBS) ? findTechnicianQuery(orderWordAsOt(text)) : undefined;
  if (passesTo) return { intent: 'assign_order', workOrder, technician: passesTo };
  if (commands(t, ASSIGN_VERBS)) {
    const technician = workOrder ? findTechnicianQuery(orderWordAsOt(text)) : undefined;
    return technician ? { ...withOrder('assign_order'), technician } : withOrder('assign_order');
  }
  if (commands(t, START_VERBS)) return withOrder('start_order');
  if (commands(t, [...COMPLETE_VERBS, ...COMPLETE_MORE])) return withOrder('complete_order');
  if (/\bmis (ot|ots|ordenes|reportes|solicitudes|pedidos)\b/.test(t) || MY_REPORTS.test(t))
    return { intent: 'my_orders' };
  return undefined;
}

export function detectIntent(text: string): IntentMatch {
  const t = normalize(text);
  const workOrder = findWorkOrderNumber(t);
  const withOrder = (intent: Intent): IntentMatch => (workOrder ? { intent, workOrder } : { intent });
  const list = words(t);

  if (!t) return { intent: 'unknown' };
  // Before cancel: "cancelar notificaciones" switches them off.
  const notifications = notificationCommand(t);
  if (notifications) return notifications;
  if (isCancel(t)) return { intent: 'cancel' };
  const talk = smallTalk(t);
  if (talk) return { intent: talk };
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
    /que puedes hacer|que (puedo|se puede) hacer|como funciona|como (te|lo|se) usa|como (te|lo) uso|como usar|para que sirves?\b|\binstrucciones\b|\bno (entiendo|cacho) (como|que)\b/.test(
      t,
    )
  ) {
    return { intent: 'help' };
  }
  if (hasWord(t, 'hola', 'buenos', 'buenas', 'saludos', 'hey', 'alo', 'wena', 'buena')) return { intent: 'greeting' };
  return { intent: 'unknown' };
}
