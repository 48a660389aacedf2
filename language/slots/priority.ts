import { type ReadText, readText, type Span } from '../text.ts';
import type { Priority } from '../types.ts';

/**
 * The priority a message asks for, from its words: "urgente", "crítico", "emergencia", "prioridad 4"
 * → Crítica; "prioridad alta", "al tiro", "lo antes posible", "rápido", "prioridad 3" → Alta;
 * "prioridad media", "normal", "prioridad 2" → Media; "no es urgente", "sin apuro", "cuando puedan",
 * "prioridad 1" → Baja. A negation wins over the word it denies. A level word alone ("alta", "baja")
 * counts only as a clause of its own ("no arranca, alta"), not in "temperatura alta".
 */

export interface PriorityMatch {
  priority: Priority;
  /** The phrase, with the words that lead to it ("y es", "con", "muy"), for the description to drop. */
  span: Span;
}

const B = '(?<![a-z0-9])';
const E = '(?![a-z0-9])';
const LEVEL = String.raw`prio(?:ridad)?(?:\s+(?:de|nivel|es))?\s*[:=]?\s*(?:muy\s+)?`;

/** Phrases by precedence: the denials first, so "no es urgente" is Baja before "urgente" is Crítica. */
const RULES: readonly (readonly [Priority, string])[] = [
  [
    'Baja',
    String.raw`no(?:\s+(?:es|esta|era|sea|seria|parece|lo\s+veo))?(?:\s+(?:tan|muy|tanto|nada|algo))?\s+(?:urgente|urgencia|critic[oa]|grave|prioritari[oa])`,
  ],
  [
    'Baja',
    String.raw`no\s+(?:hay|tiene|tengo|corre|es\s+de)\s+(?:tanto\s+|mucho\s+|ningun\s+)?(?:apuro|prisa|urgencia)`,
  ],
  ['Baja', String.raw`no\s+(?:urge|apura)|nada\s+(?:de\s+)?urgente|poco\s+urgente|puede\s+esperar`],
  ['Baja', String.raw`sin\s+(?:mucho\s+|tanto\s+|ningun\s+)?(?:apuro|prisa|urgencia)`],
  ['Baja', String.raw`cuando\s+(?:puedan|pueda|puedas|se\s+pueda|tengan?s?\s+(?:tiempo|un\s+rato)|haya\s+tiempo)`],
  ['Baja', String.raw`${LEVEL}(?:baja|minima|1|uno)|baja\s+(?:prioridad|urgencia)`],
  ['Crítica', `${LEVEL}(?:critica|maxima|urgente|4|cuatro)`],
  ['Alta', String.raw`${LEVEL}(?:alta|3|tres)|(?:muy\s+)?alta\s+prioridad`],
  ['Media', String.raw`${LEVEL}(?:media|normal|intermedia|2|dos)|(?:media|normal)\s+prioridad`],
  ['Crítica', String.raw`urgent[a-z]*|urgencia|urge|urg|critic[oa]s?|(?<!de\s+)emergencia`],
  [
    'Alta',
    String.raw`al\s*tiro|lo\s+antes\s+posible|lo\s+mas\s+(?:rapido|pronto|luego)(?:\s+posible)?|cuanto\s+antes|de\s+inmediato|inmediatamente|asap|apenas\s+puedan`,
  ],
  ['Alta', String.raw`(?<!(?:muy|mas|tan|demasiado|bien)\s+)rapido`],
];

/** A level word as a clause of its own: between the start or punctuation and the end or punctuation. */
const ALONE: readonly (readonly [Priority, RegExp])[] = [
  ['Alta', /(?:^\s*|[,;.:!¡(\-–]\s*)(alta)(?=\s*(?:$|[,;.!?)]))/g],
  ['Media', /(?:^\s*|[,;.:!¡(\-–]\s*)(media|normal)(?=\s*(?:$|[,;.!?)]))/g],
  ['Baja', /(?:^\s*|[,;.:!¡(\-–]\s*)(baja)(?=\s*(?:$|[,;.!?)]))/g],
];

/** Words just before a phrase that belong to it: "y es muy urgente", "con prioridad alta", "es una emergencia". */
const LEAD = String.raw`(?:(?:y|pero)\s+)?(?:(?:es|esta|sea|era|con|de|en|tiene)\s+)?(?:una?\s+)?(?:(?:muy|super|bien|bastante|algo|harto)\s+)?`;

const PATTERNS = RULES.map(([priority, phrase]) => [priority, new RegExp(`${B}${LEAD}(${phrase})${E}`, 'g')] as const);

/** A word every phrase above has: most messages have none and skip the phrases. */
const ANY_PHRASE =
  /urg|critic|emergencia|grave|prio|apur|prisa|pueda|cuando|esperar|tiro|posible|rapido|pronto|luego|antes|inmediat|asap|(?<![a-z])(?:alta|baja|media|normal)(?![a-z])/;

/** Every priority phrase of the folded text, in precedence order, without the ones inside an earlier one. */
export function priorityMatches(read: ReadText): PriorityMatch[] {
  const found: PriorityMatch[] = [];
  if (!ANY_PHRASE.test(read.folded)) return found;
  const overlaps = (span: Span) => found.some((other) => span.start < other.span.end && other.span.start < span.end);
  for (const [priority, pattern] of [...PATTERNS, ...ALONE]) {
    for (const match of read.folded.matchAll(pattern)) {
      const phrase = match[1]!;
      const end = match.index + match[0].length;
      const phraseStart = end - phrase.length;
      const span = { start: pattern.source.startsWith(B) ? match.index : phraseStart, end };
      if (!overlaps({ start: phraseStart, end })) found.push({ priority, span });
    }
  }
  return found;
}

/** The priority a message asks for (the first phrase in precedence order), if any. */
export function findPriority(text: string): Priority | undefined {
  return priorityMatches(readText(text))[0]?.priority;
}
