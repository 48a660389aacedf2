/**
 * Spanish intent matcher: keywords on normalized text (case and accents ignored), in the original
 * bot's order, plus the intents omnibot adds (pending orders, a person, cancel).
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
  | 'unknown';

export interface IntentMatch {
  intent: Intent;
  /** A work-order number found in the text, canonical (`OT-CORR-1`). */
  workOrder?: string;
}

export type Priority = 'Baja' | 'Media' | 'Alta' | 'Crítica';

/** Lower case, no accents, collapsed spaces. */
export function normalize(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
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

/** `OT-CORR-1`, `ot-corr-cat-001-20261124170414-768`, `ot corr 1`, `OT CORR-1` → canonical upper case. */
export function findWorkOrderNumber(text: string): string | undefined {
  const t = normalize(text);
  const hyphenated = /(?:^|[^a-z0-9])ot[-_]([a-z0-9]+(?:[-_][a-z0-9]+)*)/.exec(t);
  if (hyphenated?.[1]) return `OT-${hyphenated[1].replace(/_/g, '-')}`.toUpperCase();
  const spaced = /(?:^|[^a-z0-9])ot\s*[-_]?\s*([a-z]{3,6})\s*[-_]?\s*(\d+)(?![a-z0-9])/.exec(t);
  if (spaced?.[1] && spaced[2]) return `OT-${spaced[1]}-${spaced[2]}`.toUpperCase();
  return undefined;
}

const CANCEL = ['cancelar', 'cancela', 'cancel', 'salir', 'reiniciar', 'olvidalo', 'detener'];
/** A cancel word as the message's first word, or in a short message (so a description saying "no quiere salir" is not a cancel). */
function isCancel(t: string): boolean {
  const words = t.split(/[^a-z0-9]+/).filter(Boolean);
  return CANCEL.includes(words[0] ?? '') || (words.length <= 3 && hasWord(t, ...CANCEL));
}

const HANDOFF =
  /\b(hablar|comunicar(me)?|contactar|pasame|pasar)\b.*\b(persona|humano|supervisor|agente|alguien|operador)\b|\bagente humano\b/;

export function detectIntent(text: string): IntentMatch {
  const t = normalize(text);
  const workOrder = findWorkOrderNumber(t);
  const withOrder = (intent: Intent): IntentMatch => (workOrder ? { intent, workOrder } : { intent });

  if (!t) return { intent: 'unknown' };
  if (isCancel(t)) return { intent: 'cancel' };
  if (HANDOFF.test(t)) return { intent: 'handoff' };
  if (
    hasWord(t, 'reportar', 'reporto', 'reporte', 'informar', 'registrar', 'notificar', 'avisar') &&
    hasWord(t, 'falla', 'fallas', 'fallo', 'averia', 'problema', 'desperfecto')
  ) {
    return { intent: 'report_failure' };
  }
  if (hasWord(t, 'estado', 'consultar', 'consulta') || workOrder) return withOrder('work_order_status');
  if (hasWord(t, 'pendientes', 'pendiente') || /\bmis (ot|ordenes)\b/.test(t)) return { intent: 'pending_work_orders' };
  if (hasWord(t, 'equipos', 'equipo', 'maquinas', 'listar', 'lista')) return { intent: 'list_equipment' };
  if (hasWord(t, 'ayuda', 'help', 'menu', 'opciones', 'comandos') || t.includes('?') || /que puedes hacer/.test(t)) {
    return { intent: 'help' };
  }
  if (hasWord(t, 'hola', 'buenos', 'buenas', 'saludos', 'hey', 'alo')) return { intent: 'greeting' };
  return { intent: 'unknown' };
}

const PRIORITIES: Record<string, Priority> = {
  baja: 'Baja',
  '1': 'Baja',
  media: 'Media',
  '2': 'Media',
  alta: 'Alta',
  '3': 'Alta',
  critica: 'Crítica',
  urgente: 'Crítica',
  '4': 'Crítica',
};

/** `alta`, `Crítica`, `3`, `priority:alta` → the CMMS priority; undefined when none matches. */
export function parsePriority(text: string): Priority | undefined {
  const t = normalize(text).replace(/^priority:/, '');
  for (const token of t.split(/[^a-z0-9]+/)) {
    const match = PRIORITIES[token];
    if (match) return match;
  }
  return undefined;
}

/** `si`/`sí`/`yes`/`confirmar`/`ok` → true, `no` → false, anything else → undefined. */
export function parseConfirmation(text: string): boolean | undefined {
  const t = normalize(text);
  if (t === 'confirm:yes' || hasWord(t, 'si', 'yes', 'confirmar', 'confirmo', 'ok', 'dale', 'correcto', 'afirmativo')) {
    return true;
  }
  if (t === 'confirm:no' || hasWord(t, 'no', 'negativo')) return false;
  return undefined;
}
