import type { MessageUnderstanding } from '../core/runtime/model.ts';
import { classifyIntent, type IntentScore } from '../language/classifier.ts';
import { extractSlots, findDescription } from '../language/slots/index.ts';
import type { CatalogEquipment, Slots } from '../language/types.ts';
import { smallTalk } from './answers.ts';
import { isClearCommand } from './commands.ts';
import {
  detectIntent,
  findTechnicianQuery,
  type Intent,
  type IntentMatch,
  isIntent,
  normalize,
  orderWordAsOt,
} from './intents.ts';

/**
 * One typed message read as a whole. The menu's exact commands first (a Map lookup, free); then the
 * keyword rules where they are precise by construction (the switches, cancel, a person, the account,
 * order actions with a number and not asked as a question, whole-message small talk, the short commands
 * of commands.ts); then a message naming equipment and a symptom is a report; then the classifier trained
 * on train.json when it is sure enough, else the rules' reading (`unknown` when they find nothing). Slots
 * come from the slot extractors (the order and technician from the rules when they found them), completed
 * once the intent is known (see `completed`), kept only where they matter to the intent. The combination
 * and the threshold were chosen by 5-fold cross-validation on train.json (`npm run eval:language -- --cv`
 * prints the comparison; without `--cv`, the held-out figures too).
 */

export type Understanding = MessageUnderstanding & { intent: Intent };

/** The menu's commands and buttons' titles, folded (machines/menu.ts), and the shortest words. */
const MENU_COMMANDS: ReadonlyMap<string, Intent> = new Map([
  ['reportar falla', 'report_failure'],
  ['reportar una falla', 'report_failure'],
  ['consultar estado', 'work_order_status'],
  ['estado de una ot', 'work_order_status'],
  ['listar equipos', 'list_equipment'],
  ['ot pendientes', 'pending_work_orders'],
  ['mis ot', 'my_orders'],
  ['mis ot asignadas', 'my_assigned_orders'],
  ['ot sin asignar', 'unassigned_orders'],
  ['hablar con un supervisor', 'handoff'],
  ['hablar con una persona', 'handoff'],
  ['vincular cuenta', 'link'],
  ['cerrar sesion', 'unlink'],
  ['no quiero notificaciones', 'notifications_off'],
  ['activar notificaciones', 'notifications_on'],
  ['borrar mis datos', 'erase_data'],
  ['cancelar', 'cancel'],
  ['ayuda', 'help'],
  ['menu', 'help'],
  ['hola', 'greeting'],
  ['gracias', 'thanks'],
]);

/** An exact menu command (folded text, without the punctuation around it), else undefined. */
export function menuCommand(text: string): Intent | undefined {
  return MENU_COMMANDS.get(normalize(text).replace(/^[¿¡"'\s]+|[?!.,"'\s]+$/g, ''));
}

/**
 * How the rules and the classifier combine: the rules alone, the classifier alone, the hybrid (the rules'
 * precise commands, then the classifier) or rules-first (any intent the rules find except the loosely
 * matched ones, then the classifier).
 */
export type Combination = 'rules' | 'classifier' | 'hybrid' | 'rules-first';

export interface UnderstandingOptions {
  combination: Combination;
  /** The classifier's least score to be believed (below it: `unknown`, or the rules with `fallback`). */
  threshold: number;
  /** Below the threshold, the rules' answer instead of `unknown`. */
  fallback: boolean;
  /** A message naming equipment and a symptom, with no precise command, is a report. */
  equipmentReports: boolean;
}

/** The chosen combination: the best intent accuracy of the cross-validation on train.json (`npm run eval:language`). */
export const CHOSEN: UnderstandingOptions = {
  combination: 'hybrid',
  threshold: 0.4,
  fallback: true,
  equipmentReports: true,
};

export interface UnderstandingParts {
  classify: (text: string) => IntentScore[];
  extract: (text: string, catalog: readonly CatalogEquipment[] | null) => Slots;
}

const DEFAULT_PARTS: UnderstandingParts = { classify: classifyIntent, extract: extractSlots };

/**
 * The commands the rules read precisely (the hybrid believes them before the classifier): these intents,
 * order actions with a number, whole-message small talk and the short commands of commands.ts.
 */
const PRECISE: ReadonlySet<Intent> = new Set<Intent>([
  'cancel',
  'handoff',
  'notifications_off',
  'notifications_on',
  'notifications_info',
  'erase_data',
  'link',
  'unlink',
]);
/** Order actions are precise with an order number. */
const ORDER_ACTIONS: ReadonlySet<Intent> = new Set<Intent>(['start_order', 'complete_order', 'assign_order']);
/** What the rules match on one loose word ("hola" anywhere, "estado", "equipos", "ayuda"): rules-first asks the classifier. */
const LOOSE: ReadonlySet<Intent> = new Set<Intent>([
  'greeting',
  'help',
  'list_equipment',
  'work_order_status',
  'unknown',
]);

/** A status with an order number is no loose match ("qué pasó con la OT-CORR-3"). */
const isLoose = (match: IntentMatch) =>
  LOOSE.has(match.intent) && !(match.intent === 'work_order_status' && match.workOrder !== undefined);

function isPrecise(text: string, match: IntentMatch): boolean {
  return (
    PRECISE.has(match.intent) ||
    // "¿se terminó la OT 21?" asks how it is going; an action is said, not asked.
    (ORDER_ACTIONS.has(match.intent) && match.workOrder !== undefined && !text.includes('?')) ||
    smallTalk(text) !== undefined ||
    isClearCommand(text, match)
  );
}

/** The slots that matter to each intent; the others are dropped (no description for a greeting). */
const RELEVANT: Partial<Record<Intent, readonly (keyof Slots)[]>> = {
  report_failure: ['equipment', 'description', 'priority'],
  work_order_status: ['workOrder'],
  start_order: ['workOrder'],
  complete_order: ['workOrder'],
  assign_order: ['workOrder', 'technician'],
};

function relevantSlots(intent: Intent, slots: Slots): Slots {
  const kept: Slots = {};
  for (const name of RELEVANT[intent] ?? []) {
    if (slots[name] !== undefined) Object.assign(kept, { [name]: slots[name] });
  }
  return kept;
}

/**
 * The slots the intent needs that the first reading left out, now that the intent is known: the technician
 * of an assignment said after its order ("la OT 31 pásasela a Juan"), and the symptom of a report said in
 * words the extractors do not know as one ("la máquina quedó botada": the whole message).
 */
function completed(text: string, catalog: readonly CatalogEquipment[] | null, intent: Intent, slots: Slots): Slots {
  if (intent === 'assign_order' && slots.workOrder && !slots.technician) {
    const technician = findTechnicianQuery(orderWordAsOt(text));
    if (technician) return { ...slots, technician };
  }
  if (intent === 'report_failure' && slots.description === undefined && !slots.workOrder) {
    const description = findDescription(text, catalog);
    if (description) return { ...slots, description };
  }
  return slots;
}

/** The classifier's reading: its best intent when it is sure enough (else no intent). */
function classified(text: string, options: UnderstandingOptions, parts: UnderstandingParts) {
  const [best] = parts.classify(text);
  if (!best || best.score < options.threshold || !isIntent(best.intent)) return { score: best?.score };
  return { intent: best.intent, score: best.score };
}

function decide(
  text: string,
  match: IntentMatch,
  slots: Slots,
  options: UnderstandingOptions,
  parts: UnderstandingParts,
): Pick<Understanding, 'intent' | 'by' | 'score'> {
  const { combination } = options;
  const rules = { intent: match.intent, by: 'rules' } as const;
  if (combination === 'rules') return rules;
  const precise = combination !== 'classifier' && isPrecise(text, match);
  if (precise) return rules;
  if (options.equipmentReports && slots.equipment !== undefined && slots.description !== undefined) {
    return { intent: 'report_failure', by: 'rules' };
  }
  if (combination === 'rules-first' && !isLoose(match)) return rules;
  const { intent, score } = classified(text, options, parts);
  const scored = score === undefined ? {} : { score };
  if (intent) return { intent, by: 'classifier', ...scored };
  if (options.fallback && combination !== 'classifier') return rules;
  return { intent: 'unknown', by: 'classifier', ...scored };
}

/**
 * How much of a message is read for its intent and slots: what a request says fits well within it, and
 * the cost of reading stays bounded whatever is pasted in (a report's longer description keeps the rest).
 */
export const MAX_READ_CHARS = 1000;
/** Longer than any order number of the CMMS (`OT-CORR-CAT-001-20261124170414-768`) or a person's name. */
const MAX_REFERENCE_CHARS = 64;

/** The start of a long message, to be read (`MAX_READ_CHARS`). */
export const readablePart = (text: string): string =>
  text.length > MAX_READ_CHARS ? text.slice(0, MAX_READ_CHARS) : text;

/** Slots as kept: no order number or name longer than any real one; a clipped report's description in full. */
function bounded(text: string, slots: Slots): Slots {
  const kept: Slots = { ...slots };
  if (kept.workOrder && kept.workOrder.length > MAX_REFERENCE_CHARS) delete kept.workOrder;
  if (kept.technician && kept.technician.length > MAX_REFERENCE_CHARS) delete kept.technician;
  if (kept.description && text.length > MAX_READ_CHARS) kept.description += text.slice(MAX_READ_CHARS);
  return kept;
}

/** The understanding with a given combination and parts (the eval compares them; the app uses `understandText`). */
export function understandWith(
  text: string,
  catalog: readonly CatalogEquipment[] | null,
  options: UnderstandingOptions,
  parts: UnderstandingParts = DEFAULT_PARTS,
): Understanding {
  const menu = menuCommand(text);
  if (menu) return { intent: menu, by: 'menu', slots: {} };
  const read = readablePart(text);
  const match = detectIntent(read);
  const extracted = parts.extract(read, catalog);
  const slots: Slots = {
    ...extracted,
    ...(match.workOrder ? { workOrder: match.workOrder } : {}),
    ...(match.technician ? { technician: match.technician } : {}),
  };
  const decision = decide(read, match, slots, options, parts);
  const filled = completed(read, catalog, decision.intent, slots);
  return { ...decision, slots: bounded(text, relevantSlots(decision.intent, filled)) };
}

/** The understanding of a typed message; `catalog` (the CMMS equipment) resolves equipment names. */
export function understandText(text: string, catalog?: readonly CatalogEquipment[] | null): Understanding {
  return understandWith(text, catalog ?? null, CHOSEN);
}
