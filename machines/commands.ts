import { smallTalk } from './answers.ts';
import { findWorkOrderNumber, type IntentMatch, normalize, ORDER_VERBS, REPORT_VERBS } from './intents.ts';
import { notificationCommand } from './notification-commands.ts';
import { PASS_VERBS } from './technician-query.ts';
import { hasWord, words } from './words.ts';

/**
 * Whether a message typed while a form waits for free text (a failure's description, a completion's
 * observations or time) is a clear command rather than the answer: short, and shaped as a command
 * ("finalizar OT-CORR-1", "borrar mis datos", "ayuda", "hola", "estado de OT-CORR-1", "no quiero
 * notificaciones"). Anything longer or vaguer stays the answer ("Se completó el cambio de sello en la
 * OT-CORR-1").
 */

/** The message's words, its work-order number counted as one ("OT-CORR-CAT-001-2026-768" → "ot"). */
function wordsBesidesOrder(t: string): string[] {
  return words(t.replace(/(^|[^a-z0-9])ot[-_\s]*(?:n[°o]?\.?\s*|#\s*)?[a-z0-9]+(?:[-_][a-z0-9]+)*/g, '$1ot '));
}

const GREETING_ALONE =
  /^(?:hola|holi|hey|alo|wena|saludos|buenas|buenos dias|buenas (?:tardes|noches|dias))(?: (?:bot|asistente))?$/;
const STATUS_WORDS = /\b(?:estado|consultar|consulta|como (?:va|esta|anda|sigue))\b/;
const ACCOUNT_WORDS = /\b(?:cuenta|sesion|log ?in|log ?out)\b/;
const HELP_WORDS = ['ayuda', 'help', 'menu', 'opciones', 'comandos'];

/** A question about an order's status ("estado de OT-5", "¿cómo va la OT-5?"), not just its number. */
export function asksStatus(text: string): boolean {
  const t = normalize(text);
  return STATUS_WORDS.test(t) || t.includes('?');
}

export function isClearCommand(text: string, match: IntentMatch): boolean {
  const t = normalize(text);
  const bare = t.replace(/[¿?¡!.,;:]+/g, ' ').trim();
  const list = wordsBesidesOrder(t);
  const first = list[0] ?? '';
  const n = list.length;
  switch (match.intent) {
    case 'erase_data':
      return n <= 6;
    // Read only when the whole message is the command (see notification-commands.ts).
    case 'notifications_off':
    case 'notifications_on':
    case 'notifications_info':
      return notificationCommand(t) !== undefined;
    case 'link':
    case 'unlink':
      return n === 1 || (n <= 5 && ACCOUNT_WORDS.test(t));
    case 'my_orders':
    case 'my_assigned_orders':
    case 'my_pending':
    case 'unassigned_orders':
      return n <= 5;
    case 'start_order':
    case 'complete_order':
      return n === 1 || (match.workOrder !== undefined && n <= 6 && ORDER_VERBS.has(first));
    case 'assign_order':
      return n === 1 || (match.workOrder !== undefined && (ORDER_VERBS.has(first) || PASS_VERBS.includes(first)));
    case 'help':
      return n <= 3 && (hasWord(t, ...HELP_WORDS) || bare === '');
    case 'greeting':
      return GREETING_ALONE.test(bare) || smallTalk(text) === 'greeting';
    // "chao" leaves the question as a goodbye, never as its answer.
    case 'farewell':
      return smallTalk(text) === 'farewell';
    case 'work_order_status':
      return findWorkOrderNumber(t) !== undefined && (n === 1 || (n <= 5 && asksStatus(t)));
    case 'report_failure':
      return n <= 3 && REPORT_VERBS.includes(first);
    default:
      return false;
  }
}

/**
 * An answer to "¿Qué orden…?": the order's number as written, or digits alone ("5", "n° 5", "la 5"),
 * which read as "OT 5" (the CMMS may find the order whose id is 5). Undefined when it names none.
 */
export function orderAnswer(text: string): string | undefined {
  if (findWorkOrderNumber(text) !== undefined) return text.trim();
  const digits = /^\s*(?:(?:la|el)\s+)?(?:n[°ºo]?\.?\s*|n[uú]mero\s+|#\s*)?(\d+)\b(.*)$/iu.exec(text);
  return digits ? `OT ${digits[1]}${digits[2]}` : undefined;
}
