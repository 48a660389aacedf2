import { cutSpans, foldKeepingLength, type ReadText, readText, type Span } from '../text.ts';
import type { CatalogEquipment } from '../types.ts';
import { type EquipmentMatch, equipmentMatch } from './equipment.ts';
import { type OrderMatch, orderMatch } from './order-number.ts';
import { type PriorityMatch, priorityMatches } from './priority.ts';

/**
 * The symptom as the user wrote it: the message without the equipment (and the article or
 * preposition right before it), the priority phrase, the order number, politeness, the greeting and
 * request words at the start ("hola", "reportar falla en", "quiero reportar que") and the punctuation
 * and connectors left at both ends. Nothing when what is left is only a failure noun ("una falla").
 */

/** Words right before a mention that go with it: "en la", "del", "al", "el equipo". */
const BEFORE_MENTION = new Set(
  'el la los las lo un una del al en de a con para por sobre desde este esta ese esa mi equipo maquina unidad'.split(
    ' ',
  ),
);
const POLITENESS =
  /(?<![a-z0-9])(?:(?:muchas\s+)?gracias(?:\s+de\s+antemano)?|de\s+antemano|se\s+agradece|(?:por|x)\s*fa(?:vor|vorcito)?|porfis|xfa|xfavor|pls|please)(?![a-z0-9])/g;

const W = '(?![a-z0-9])';
/** A failure noun and nothing more: "una falla", "tengo un problema", "fallas en". */
const FAILURE_ONLY = String.raw`(?:(?:hay|tengo|tiene|tenemos|presenta|existe)\s+)?(?:(?:una?|la|el|las|los|algun|alguna|otra?)\s+)?(?:falla|fallas|fallo|fallos|problema|problemas|averia|averias|desperfecto|desperfectos|inconveniente)(?:\s+(?:en|de|del|con|al))?`;
/** A request with no symptom in it, before the symptom: "favor revisar, …", "necesito mantención: …". */
const REQUEST_ONLY = String.raw`(?:(?:por\s+)?favor\s+)?(?:revisar|chequear|revisen|ver)|ayuda|(?:necesito|necesitamos|requiero|solicito|se\s+necesita|se\s+requiere)\s+(?:una?\s+)?(?:mantencion|mantenimiento|revision|ayuda|mecanico|tecnico|apoyo|soporte)`;
/** Labels of a form-like message: "Equipo: CAT-002. Falla: fuga de aceite". */
const LABEL = '(?:reporte|equipo|maquina|descripcion|detalle|sintoma|observacion|obs|motivo)';
const WANT = String.raw`(?:(?:yo\s+)?(?:quiero|kiero|quisiera|queria|necesito|nesecito|vengo\s+a|voy\s+a|paso\s+a|deseo|me\s+gustaria|hay\s+que|debo|para)\s+)?`;
const REPORT_VERB = String.raw`(?:(?:se|les?|te)\s+)?(?:reportar|reporto|reporta|informar|informo|informa|avisar|aviso|avisa|notificar|notifico|notifica|registrar|registro|cuento|comento)`;
const REPORT_NOUN = String.raw`(?:una?\s+|el\s+|la\s+)?(?:falla|fallas|averia|problema|desperfecto|reporte|aviso|incidencia|novedad)(?:\s+de\s+falla)?`;
const AFTER = String.raw`(?:\s+(?:en|de|del|con|para|al|a|sobre|por|que|q))?`;
/** What may open a message before the symptom, removed again and again from the start. */
const LEADING: readonly RegExp[] = [
  /^[^\p{L}\p{N}]+/u,
  new RegExp(
    String.raw`^(?:buen[oa]s?\s+(?:dias|tardes|noches)|buen\s+dia|hola+s?|ola|buenas|oye|oiga|wena+s?|hey|alo|saludos|estimad[oa]s?)${W}`,
  ),
  new RegExp(String.raw`^${WANT}${REPORT_VERB}(?:\s+${REPORT_NOUN})?${AFTER}${W}`),
  new RegExp(String.raw`^(?:reporte|aviso)\s+(?:de|por)\s+(?:falla|averia|problema)${AFTER}${W}`),
  new RegExp(
    String.raw`^${WANT}(?:crear|generar|levantar|abrir|hacer|ingresar|dejar)\s+(?:una?\s+)?(?:reporte|aviso|ot|orden(?:\s+de\s+trabajo)?|ticket)(?:\s+(?:de|por)\s+falla)?${AFTER}${W}`,
  ),
  new RegExp(String.raw`^(?:${FAILURE_ONLY}|${REQUEST_ONLY}|${LABEL})\s*[,:;.\-–]`),
  new RegExp(`^(?:y|e|que|q|con|pero|tambien|ademas)${W}`),
];
const TRAILING: readonly RegExp[] = [/[^\p{L}\p{N})]+$/u, /(?<![a-z0-9])(?:y|e|que|q|con|pero)$/];
const ONLY_FAILURE = new RegExp(`^${FAILURE_ONLY}$`);

/** The index of the last word that ends at or before `offset` (-1: none). */
function lastWordBefore(read: ReadText, offset: number): number {
  let low = 0;
  let high = read.words.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (read.words[middle]!.end <= offset) low = middle + 1;
    else high = middle - 1;
  }
  return high;
}

/** A mention's span with the articles and prepositions just before it ("en la", "del"). */
function withArticle(read: ReadText, span: Span): Span {
  let start = span.start;
  const last = lastWordBefore(read, span.start);
  for (let k = last; k >= 0 && k > last - 3; k -= 1) {
    const word = read.words[k]!;
    if (!BEFORE_MENTION.has(word.w) || /[^\s]/.test(read.folded.slice(word.end, start))) break;
    start = word.start;
  }
  return { start, end: span.end };
}

/** The text without what LEADING and TRAILING match at its start and end, again while one matches. */
function trimEnds(rest: string): string {
  let text = rest;
  let folded = foldKeepingLength(rest);
  for (let changed = true; changed; ) {
    changed = false;
    for (const pattern of LEADING) {
      const length = pattern.exec(folded)?.[0].length ?? 0;
      if (length > 0) {
        text = text.slice(length);
        folded = folded.slice(length);
        changed = true;
        break;
      }
    }
    if (changed) continue;
    for (const pattern of TRAILING) {
      const at = pattern.exec(folded)?.index ?? -1;
      if (at >= 0 && at < folded.length) {
        text = text.slice(0, at);
        folded = folded.slice(0, at);
        changed = true;
        break;
      }
    }
  }
  return text;
}

/** Spaces and commas left by the cuts tidied: "fuga  , de aceite" → "fuga, de aceite". */
function tidy(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/\s+([,.;:!?])/g, '$1')
    .replace(/([,;:])(?:\s*[,;:])+/g, '$1')
    .trim();
}

/** What the other extractors found in the text, which the description leaves out. */
export interface FoundParts {
  equipment: EquipmentMatch | undefined;
  priorities: readonly PriorityMatch[];
  order: OrderMatch | undefined;
}

/** The description of read text, given what the other extractors found in it. */
export function descriptionOf(read: ReadText, found: FoundParts): string | undefined {
  const spans: Span[] = [];
  for (const span of found.equipment?.spans ?? []) spans.push(withArticle(read, span));
  for (const match of found.priorities) spans.push(match.span);
  if (found.order) spans.push(withArticle(read, found.order.span));
  for (const match of read.folded.matchAll(POLITENESS))
    spans.push({ start: match.index, end: match.index + match[0].length });
  const rest = tidy(trimEnds(tidy(cutSpans(read.text, spans))));
  if (
    !rest ||
    ONLY_FAILURE.test(
      foldKeepingLength(rest)
        .replace(/[^a-z0-9\s]/g, '')
        .trim(),
    )
  )
    return undefined;
  return rest;
}

/** The symptom a message describes, as written; undefined when it says none. */
export function findDescription(text: string, catalog: readonly CatalogEquipment[] | null): string | undefined {
  const read = readText(text);
  const order = orderMatch(read);
  return descriptionOf(read, {
    equipment: equipmentMatch(read, catalog, order),
    priorities: priorityMatches(read),
    order,
  });
}
