import { type ReadText, readText, type Span } from '../text.ts';
import { isNumberWord, spokenDigitsAt } from './number-words.ts';

/**
 * A work-order number, canonical: the forms `findWorkOrderNumber` (machines/intents.ts) reads
 * ("OT-CORR-1", "ot corr 1", "OT 15", "OT n° 15") plus "la orden 18", "orden número 18", "orden de
 * trabajo 18" and spoken numbers ("la ot dieciocho", "ot uno cinco" → "OT-18", "OT-15"). Never a bare
 * number; "la OT del 15" is not a number.
 */

export interface OrderMatch {
  workOrder: string;
  span: Span;
}

/** Order-type codes of the CMMS numbers (`OT-CORR-…`, `OT-PREV-…`). */
const ORDER_TYPES = new Set(['corr', 'prev', 'pred', 'mejo', 'mej', 'insp', 'emer']);
/** The words that say "number" between the order and its number ("n°", "nro.", "número", "#"). */
const NUMBER_WORDS = new Set(['n', 'no', 'nro', 'num', 'numero']);

const HYPHENATED = /(?:^|[^a-z0-9])(ot[-_]([a-z0-9]+(?:[-_][a-z0-9]+)*))/;

/** "OT-CORR-1", "ot_15", "ot-corr-cat-001-20261124170414-768" as written with hyphens. */
function hyphenated(folded: string): OrderMatch | undefined {
  const match = HYPHENATED.exec(folded);
  if (!match?.[1] || !match[2]) return undefined;
  const start = match.index + match[0].length - match[1].length;
  return {
    workOrder: `OT-${match[2].replace(/_/g, '-')}`.toUpperCase(),
    span: { start, end: start + match[1].length },
  };
}

/** The number after the order word at `i` ("ot", "orden"), read word by word. */
function numberAfter(read: ReadText, i: number): OrderMatch | undefined {
  const { words } = read;
  const list = words.map((word) => word.w);
  let at = i + 1;
  if (list[i] === 'orden' && list[at] === 'de' && list[at + 1] === 'trabajo') at += 2;
  if (NUMBER_WORDS.has(list[at] ?? '')) at += 1;
  const span = (last: number): Span => ({ start: words[i]!.start, end: words[last]!.end });
  const next = list[at] ?? '';
  const joinedType = /^([a-z]+)(\d+)$/.exec(next);
  if (list[i] === 'ot' && joinedType && ORDER_TYPES.has(joinedType[1]!)) {
    return { workOrder: `OT-${joinedType[1]}-${joinedType[2]}`.toUpperCase(), span: span(at) };
  }
  if (list[i] === 'ot' && ORDER_TYPES.has(next)) {
    const typed = list[at + 1] ?? '';
    if (/^\d+$/.test(typed)) return { workOrder: `OT-${next}-${typed}`.toUpperCase(), span: span(at + 1) };
    const spoken = spokenDigitsAt(list, at + 1);
    if (spoken.length > 0)
      return { workOrder: `OT-${next}-${spoken.digits}`.toUpperCase(), span: span(at + spoken.length) };
    return undefined;
  }
  if (/^\d+$/.test(next)) return { workOrder: `OT-${next}`, span: span(at) };
  if (isNumberWord(next)) {
    const spoken = spokenDigitsAt(list, at);
    if (spoken.length > 0) return { workOrder: `OT-${spoken.digits}`, span: span(at + spoken.length - 1) };
  }
  return undefined;
}

/** The order number of read text and where it is written. */
export function orderMatch(read: ReadText): OrderMatch | undefined {
  const written = hyphenated(read.folded);
  if (written) return written;
  for (const [i, word] of read.words.entries()) {
    const joined = /^ot(\d+)$/.exec(word.w);
    if (joined) return { workOrder: `OT-${joined[1]}`, span: { start: word.start, end: word.end } };
    if (word.w !== 'ot' && word.w !== 'orden') continue;
    const found = numberAfter(read, i);
    if (found) return found;
  }
  return undefined;
}

/** "OT 15", "la orden 18", "la ot dieciocho" → "OT-15", "OT-18"; undefined without an order number. */
export function findWorkOrder(text: string): string | undefined {
  return orderMatch(readText(text))?.workOrder;
}
