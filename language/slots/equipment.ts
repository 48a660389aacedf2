import { type ReadText, readText, type Span } from '../text.ts';
import type { CatalogEquipment, EquipmentMention } from '../types.ts';
import { type CatalogIndex, catalogIndex } from './catalog-index.ts';
import { canonicalCode, codeAt } from './equipment-codes.ts';
import { lookUpName } from './name-lookup.ts';
import { isNumberWord, spokenDigitsAt } from './number-words.ts';
import { type OrderMatch, orderMatch } from './order-number.ts';

/**
 * The equipment a message names: a code ("CAT-001", "cat 1", "cat cero cero uno"; found by its shape
 * even without a catalog) or catalog name words ("la excavadora 336", "el volvo", "los camiones",
 * "escavadora"). Adjacent words narrow each other down ("excavadora" ∩ "336" → CAT-002); a word
 * alone that fits several equipment leaves them all (ambiguous). The mention is the naming words as
 * written, without the article before them ("excavadora CAT-002", "cat cero cero uno").
 */

export interface EquipmentMatch {
  mention: EquipmentMention;
  /** Where each group of naming words that agrees with the result is written (the description drops them). */
  spans: Span[];
}

/** Naming words next to each other (first..last word index) and what they name. */
interface Unit {
  first: number;
  last: number;
  codes: ReadonlySet<string>;
  /** False for words that name equipment only next to another name word ("luz frontal", a 2-digit model). */
  strong: boolean;
  /** The canonical code when the words were a code. */
  code?: string;
  /** The code is one of the catalog's. */
  inCatalog?: boolean;
}

/** One mention: adjacent units, with at least one that names equipment alone or a code. */
interface Group {
  span: Span;
  codes: ReadonlySet<string>;
  code?: string;
  inCatalog: boolean;
}

/** Words after which a number is not a model: "la orden 320", "prioridad 3", "n° 336". */
const NOT_MODEL_AFTER = new Set(['orden', 'ot', 'ots', 'prioridad', 'prio', 'numero', 'nro', 'n', 'nivel', 'opcion']);
/** Units after which a number is a quantity, not a model: "320 horas", "100 litros". */
const QUANTITY_UNITS = new Set(
  'horas hora hrs hr h km kms kilometros metros mts mt m litros lts lt l grados psi bar rpm minutos min dias kg kilos toneladas ton volts v amperes bares veces por porciento'.split(
    ' ',
  ),
);
/** Determiners after which a qualifier names equipment alone: "el frontal" (not "la luz frontal"). */
const ARTICLES = new Set(['el', 'la', 'los', 'las', 'del', 'al', 'un', 'una', 'ese', 'esa', 'este', 'esta', 'mi']);
/** Between a name and the number of one of its equipment: "el camión n° 2". */
const NUMBER_SIGNS = new Set(['n', 'no', 'nro', 'num', 'numero']);
/** Between words of one mention: spaces, a hyphen, a slash or a dot ("cat-336", "cargador / volvo"). */
const SAME_MENTION = /^[\s\-_./]*$/;

const intersect = (a: ReadonlySet<string>, b: ReadonlySet<string>) => new Set([...a].filter((code) => b.has(code)));

function codeUnit(read: ReadText, i: number, index: CatalogIndex | undefined): Unit | undefined {
  const found = codeAt(read, i, index);
  if (!found) return undefined;
  const { code, inCatalog } = canonicalCode(found, index);
  if (inCatalog) return { first: i, last: found.last, codes: new Set([code]), strong: true, code, inCatalog };
  // "cat 336", "ltm 1100": a brand or prefix and a model rather than an unknown code.
  const prefix = index?.names.get(found.prefix);
  const model = index?.names.get(found.digits);
  const both = prefix && model ? intersect(prefix.codes, model.codes) : undefined;
  if (both?.size) return { first: i, last: found.last, codes: both, strong: true };
  if (found.doubtful && index) return undefined;
  return { first: i, last: found.last, codes: new Set(), strong: true, code };
}

function nameUnit(read: ReadText, i: number, index: CatalogIndex): Unit | undefined {
  const { words, folded } = read;
  const word = words[i]!.w;
  const next = words[i + 1];
  const previous = words[i - 1]?.w ?? '';
  if (/^\d+$/.test(word) && (NOT_MODEL_AFTER.has(previous) || QUANTITY_UNITS.has(next?.w ?? ''))) return undefined;
  if (isNumberWord(word) && !NOT_MODEL_AFTER.has(previous)) {
    // "la excavadora trescientos veinte": a model dictated.
    const spoken = spokenDigitsAt(
      words.map((w) => w.w),
      i,
    );
    const model = spoken.digits.length >= 3 ? index.names.get(spoken.digits) : undefined;
    if (model) return { first: i, last: i + spoken.length - 1, codes: model.codes, strong: model.strong };
  }
  const gap = next ? folded.slice(words[i]!.end, next.start) : '';
  if (next && /^[a-z]{3,}$/.test(word) && /^[a-z]{3,}$/.test(next.w) && /^[\s-]+$/.test(gap)) {
    // "exca vadora", "moto niveladora": one name word written as two (the second is no name alone).
    const joined =
      word.length + next.w.length >= 8 && !lookUpName(next.w, index) ? lookUpName(word + next.w, index) : undefined;
    if (joined) return { first: i, last: i + 1, codes: joined.codes, strong: joined.strong };
  }
  const entry = lookUpName(word, index);
  if (entry) {
    const alone = !entry.qualifier || i === 0 || ARTICLES.has(previous);
    return { first: i, last: i, codes: entry.codes, strong: entry.strong && alone };
  }
  return undefined;
}

/** "el camión 2", "la excavadora n° 1": the one of `codes` whose code has that number, and the number's word index. */
function numberedAfter(read: ReadText, last: number, codes: ReadonlySet<string>, index: CatalogIndex) {
  const { words, folded } = read;
  let j = last + 1;
  if (NUMBER_SIGNS.has(words[j]?.w ?? '')) j += 1;
  const word = words[j];
  if (!word || !/^[\s#°.:-]*$/.test(folded.slice(words[j - 1]!.end, word.start))) return undefined;
  if (j > last + 1 && !/^[\s#°.:-]*$/.test(folded.slice(words[last]!.end, words[last + 1]!.start))) return undefined;
  if (QUANTITY_UNITS.has(words[j + 1]?.w ?? '')) return undefined;
  const spoken = isNumberWord(word.w) ? spokenDigitsAt([word.w], 0).digits : '';
  const digits = /^\d{1,2}$/.test(word.w) ? word.w : spoken;
  if (!digits) return undefined;
  const code = [...codes].find((candidate) => index.numberOfCode.get(candidate) === Number(digits));
  return code ? { code, last: j } : undefined;
}

/** The naming words of the message, in order (none inside the order number). */
function unitsOf(read: ReadText, index: CatalogIndex | undefined, order: Span | undefined): Unit[] {
  const { words } = read;
  const inOrder = (i: number) => order !== undefined && words[i]!.start < order.end && words[i]!.end > order.start;
  const units: Unit[] = [];
  for (let i = 0; i < words.length; i += 1) {
    if (inOrder(i)) continue;
    const unit = codeUnit(read, i, index) ?? (index ? nameUnit(read, i, index) : undefined);
    if (!unit || inOrder(unit.last)) continue;
    units.push(unit);
    i = unit.last;
  }
  return units;
}

/** Adjacent units as one mention each; a catalog code decides its group, names narrow each other. */
function groupsOf(read: ReadText, units: Unit[], index: CatalogIndex | undefined): Group[] {
  const { words, text } = read;
  const groups: Group[] = [];
  let current: Unit[] = [];
  const close = () => {
    if (current.length === 0) return;
    let codes: ReadonlySet<string> | undefined;
    const coded = current.find((unit) => unit.inCatalog) ?? current.find((unit) => unit.code);
    for (const unit of current) {
      if (unit.codes.size === 0) continue;
      const narrowed = codes ? intersect(codes, unit.codes) : unit.codes;
      if (narrowed.size > 0) codes = narrowed;
    }
    if (coded?.inCatalog) codes = coded.codes;
    const last = current.at(-1)!.last;
    const numbered = !coded && index && codes && codes.size > 1 ? numberedAfter(read, last, codes, index) : undefined;
    if (numbered) codes = new Set([numbered.code]);
    const span = { start: words[current[0]!.first]!.start, end: words[numbered?.last ?? last]!.end };
    if (coded || current.some((unit) => unit.strong)) {
      groups.push({ span, codes: codes ?? new Set(), code: coded?.code, inCatalog: !!coded?.inCatalog });
    }
    current = [];
  };
  for (const unit of units) {
    const previous = current.at(-1);
    if (previous && !SAME_MENTION.test(text.slice(words[previous.last]!.end, words[unit.first]!.start))) close();
    current.push(unit);
  }
  close();
  return groups;
}

/** The equipment a read message names, and where (never inside its order number). */
export function equipmentMatch(
  read: ReadText,
  catalog: readonly CatalogEquipment[] | null,
  order: OrderMatch | undefined,
): EquipmentMatch | undefined {
  const index = catalog ? catalogIndex(catalog) : undefined;
  const groups = groupsOf(read, unitsOf(read, index, order?.span), index);
  if (groups.length === 0) return undefined;
  const named = groups.filter((group) => group.codes.size > 0);
  // A catalog code first; else the most precise name (the first one among equals); else an unknown code.
  const primary =
    groups.find((group) => group.inCatalog) ??
    named.reduce<Group | undefined>(
      (best, group) => (!best || group.codes.size < best.codes.size ? group : best),
      undefined,
    ) ??
    groups[0]!;
  let codes = primary.codes;
  const agreeing = [primary];
  for (const group of named) {
    if (group === primary) continue;
    const narrowed = intersect(codes, group.codes);
    if (narrowed.size === 0) continue;
    if (!primary.inCatalog) codes = narrowed;
    agreeing.push(group);
  }
  const mention: EquipmentMention = {
    mention: read.text.slice(primary.span.start, primary.span.end),
    codes: [...codes].sort(),
  };
  if (primary.code) mention.code = primary.code;
  return { mention, spans: agreeing.map((group) => group.span) };
}

/** The equipment a message names ("la excavadora 336" → CAT-002); undefined when it names none. */
export function findEquipment(text: string, catalog: readonly CatalogEquipment[] | null): EquipmentMention | undefined {
  const read = readText(text);
  return equipmentMatch(read, catalog, orderMatch(read))?.mention;
}
