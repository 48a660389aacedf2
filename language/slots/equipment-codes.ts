import type { ReadText } from '../text.ts';
import type { CatalogIndex } from './catalog-index.ts';
import { isNumberWord, spokenDigitsAt } from './number-words.ts';

/**
 * Equipment codes by their shape, 2–4 letters and a number, in every way they are written or
 * dictated: "CAT-001", "cat001", "cat 001", "CAT 1", "cat-1", "cat cero cero uno", "kom cero uno".
 * A prefix of the catalog's codes is read in any form; another one only when the form leaves no
 * doubt ("xyz-12", "xyz12", "xyz 012", "XYZ 1", "xyz cero uno"), never a Spanish word ("la 336", "hace 2").
 */

export interface CodeWords {
  /** Folded prefix ("cat") and digits ("001", "1"). */
  prefix: string;
  digits: string;
  /** Index of its last word (the first is where it was looked for). */
  last: number;
  /** True when the prefix could be a word: unknown to the catalog, lower case, spaced from one or two digits or one spoken digit. */
  doubtful: boolean;
}

/** Short Spanish words (and units) that are never a code prefix. */
const NOT_PREFIXES = new Set(
  (
    'la el lo los las le les de del al en un una uno unos unas dos tres seis ocho diez once doce cero mil ' +
    'es son era fue ser hay ha han he has hace hizo y o u e ni que por con sin mas muy ya va van voy ir se ' +
    'su sus mi mis tu tus me te nos si no yo ella ello eso esa ese esto esta este como para pero cada todo ' +
    'toda casi solo tal vez dia dias mes ano anos hora hrs hr hra hrs min seg km kms mt mts lt lts kg ton ' +
    'psi bar rpm mm cm kw hp gal vs ok ah eh oh ot ots nro num pag the of ver dar da dan doy pon ante bajo ' +
    'tras aqui ahi alla asi hoy ayer cual cuan tan otro otra cosa algo nada fase zona area piso eje lado ' +
    'nave sala pozo tubo base cama luz aire agua gas tipo modo caso paso via fila lote foto hoja cota ruta ' +
    'pala rato vez a x n'
  ).split(' '),
);

const JOINED = /^([a-z]{2,4})(\d{1,4})$/;
const LETTERS = /^[a-z]{2,4}$/;
const DIGITS = /^\d{1,4}$/;
/** Between a prefix and its digits: nothing, a hyphen (or "_", "."), spaces. */
const CODE_GAP = /^\s*[-_.]?\s*$/;
const SPOKEN_GAP = /^[\s,-]*$/;

/** The code whose prefix is word `i`, if the words there have the shape of one. */
export function codeAt(read: ReadText, i: number, index: CatalogIndex | undefined): CodeWords | undefined {
  const { words, folded, text } = read;
  const word = words[i]!;
  const known = (prefix: string) => index?.codesByPrefix.has(prefix) ?? false;
  const joined = JOINED.exec(word.w);
  if (joined) {
    const prefix = joined[1]!;
    if (!known(prefix) && NOT_PREFIXES.has(prefix)) return undefined;
    return { prefix, digits: joined[2]!, last: i, doubtful: false };
  }
  const next = words[i + 1];
  const isKnown = known(word.w);
  if (!next || !LETTERS.test(word.w) || (!isKnown && NOT_PREFIXES.has(word.w))) return undefined;
  const gap = folded.slice(word.end, next.start);
  if (DIGITS.test(next.w) && CODE_GAP.test(gap)) {
    const hyphen = /[-_.]/.test(gap) || gap === '';
    const sure =
      hyphen || next.w.length >= 3 || next.w.startsWith('0') || /^[A-Z]+$/.test(text.slice(word.start, word.end));
    return { prefix: word.w, digits: next.w, last: i + 1, doubtful: !isKnown && !sure };
  }
  if (isNumberWord(next.w) && SPOKEN_GAP.test(gap)) {
    const list = words.map((w) => w.w);
    const spoken = spokenDigitsAt(list, i + 1);
    if (spoken.length === 0) return undefined;
    return {
      prefix: word.w,
      digits: spoken.digits,
      last: i + spoken.length,
      doubtful: !isKnown && spoken.digits.length < 2,
    };
  }
  return undefined;
}

/** The code written canonically: the catalog's own when it has it ("cat 1" → "CAT-001"), else "PREFIX-digits" (padded like the catalog's codes of that prefix). */
export function canonicalCode(code: CodeWords, index: CatalogIndex | undefined): { code: string; inCatalog: boolean } {
  const own = index?.codesByPrefix.get(code.prefix)?.get(Number(code.digits));
  if (own) return { code: own, inCatalog: true };
  const width = index?.digitsByPrefix.get(code.prefix) ?? 0;
  return { code: `${code.prefix.toUpperCase()}-${code.digits.padStart(width, '0')}`, inCatalog: false };
}
