import { foldText } from '../text.ts';
import type { CatalogEquipment } from '../types.ts';

/**
 * What the extractors look up in a catalog, built once per catalog array (a WeakMap keyed by the
 * array): its codes by prefix and number, and the words that name its equipment (nombreequipo,
 * marca, modelo, code prefix) with the codes each one names. Nothing here is hard-coded equipment.
 */

/**
 * The codes a word names, and whether it names equipment alone ("excavadora", "komatsu", "336") or
 * only next to another name word (a 2-character model or prefix: "20", "jd").
 */
export interface NameEntry {
  codes: ReadonlySet<string>;
  strong: boolean;
  /** A word that only qualifies the kind in every name ("frontal"): alone it names equipment after an article only. */
  qualifier: boolean;
}

export interface CatalogIndex {
  /** Code prefix ("cat") → the number after it (1) → the code ("CAT-001"). */
  codesByPrefix: ReadonlyMap<string, ReadonlyMap<number, string>>;
  /** Code prefix → how many digits its codes have (to write "cat 9" as "CAT-009"). */
  digitsByPrefix: ReadonlyMap<string, number>;
  /** Code → its number ("KOM-002" → 2), for "el camión 2". */
  numberOfCode: ReadonlyMap<string, number>;
  /** Folded name word → entry. */
  names: ReadonlyMap<string, NameEntry>;
  /** Name words (letters only, 5 letters or more) a typo may stand for, by first letter. */
  fuzzyByInitial: ReadonlyMap<string, readonly string[]>;
  /** Kinds of equipment (first words of the names, 10 letters or more) users shorten: "perfo" → "perforadora". */
  longKinds: readonly string[];
  /** Fuzzy look-ups already made (bounded): word → name word or null. */
  fuzzyMemo: Map<string, string | null>;
}

/** Words of names that never name equipment by themselves. */
const NOT_NAMES = new Set([
  'a',
  'al',
  'con',
  'de',
  'del',
  'e',
  'el',
  'en',
  'la',
  'las',
  'los',
  'para',
  'por',
  'un',
  'una',
  'y',
  'equipo',
  'maquina',
  'modelo',
  'serie',
  'tipo',
  'unidad',
]);

const CODE = /^([a-z]{1,5})[-_ ]?(\d+)$/;

const indexes = new WeakMap<readonly CatalogEquipment[], CatalogIndex>();

/** The catalog's index, built on first use. */
export function catalogIndex(catalog: readonly CatalogEquipment[]): CatalogIndex {
  let index = indexes.get(catalog);
  if (!index) {
    index = buildIndex(catalog);
    indexes.set(catalog, index);
  }
  return index;
}

/** Prefixes of Spanish compound words: "motoniveladora" is also called "niveladora". */
const COMPOUND_PREFIX = /^(?:moto|auto|retro|electro|servo|micro|mini|semi|multi|hidro|termo|turbo)(?=[a-z]{5,}$)/;

/** Model words and the shorter forms users write: "930e" → "930", "l350h" → "l350" and "350". */
function modelForms(word: string): string[] {
  const forms = [word];
  const noTail = word.replace(/[a-z]+$/, '');
  if (noTail !== word && /\d/.test(noTail)) forms.push(noTail);
  const digits = /\d{3,}/.exec(word)?.[0];
  if (digits && !forms.includes(digits)) forms.push(digits);
  return forms;
}

function buildIndex(catalog: readonly CatalogEquipment[]): CatalogIndex {
  const codesByPrefix = new Map<string, Map<number, string>>();
  const digitsByPrefix = new Map<string, number>();
  const numberOfCode = new Map<string, number>();
  const names = new Map<string, { codes: Set<string>; strong: boolean; qualifier: boolean }>();
  const longKinds: string[] = [];
  const add = (word: string, code: string, strong: boolean, qualifier = false) => {
    if (word.length < 2 || NOT_NAMES.has(word)) return;
    const entry = names.get(word) ?? { codes: new Set<string>(), strong: false, qualifier };
    entry.codes.add(code);
    entry.strong ||= strong;
    entry.qualifier &&= qualifier;
    names.set(word, entry);
  };
  for (const item of catalog) {
    const code = item.codigointerno?.trim();
    if (!code) continue;
    const parts = CODE.exec(foldText(code));
    const prefix = parts?.[1];
    if (prefix && parts[2]) {
      const numbers = codesByPrefix.get(prefix) ?? new Map<number, string>();
      numbers.set(Number(parts[2]), code);
      numberOfCode.set(code, Number(parts[2]));
      codesByPrefix.set(prefix, numbers);
      digitsByPrefix.set(prefix, Math.max(digitsByPrefix.get(prefix) ?? 0, parts[2].length));
      add(prefix, code, prefix.length >= 3);
    }
    const brand = foldText(item.marca ?? '').split(/[^a-z0-9]+/);
    for (const word of brand) add(word, code, word.length >= 3);
    const model = foldText(item.modelo ?? '').split(/[^a-z0-9]+/);
    for (const word of model) for (const form of modelForms(word)) add(form, code, form.length >= 3);
    const name = foldText(item.nombreequipo)
      .split(/[^a-z0-9]+/)
      .filter(Boolean);
    for (const [position, word] of name.entries()) {
      if (/\d/.test(word)) for (const form of modelForms(word)) add(form, code, form.length >= 3);
      else
        add(
          word,
          code,
          word.length >= 3,
          position > 0 && word !== prefix && !brand.includes(word) && !model.includes(word),
        );
      const compound = COMPOUND_PREFIX.exec(word);
      if (compound) add(word.slice(compound[0].length), code, true);
      if (position === 0 && word.length >= 10 && !longKinds.includes(word)) longKinds.push(word);
    }
  }
  const fuzzyByInitial = new Map<string, string[]>();
  for (const word of names.keys()) {
    if (word.length < 5 || !/^[a-z]+$/.test(word)) continue;
    const list = fuzzyByInitial.get(word[0]!) ?? [];
    list.push(word);
    fuzzyByInitial.set(word[0]!, list);
  }
  return { codesByPrefix, digitsByPrefix, numberOfCode, names, fuzzyByInitial, longKinds, fuzzyMemo: new Map() };
}
