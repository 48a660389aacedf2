/// <reference path="./nlpjs-similarity.d.ts" />
import { leven } from '@nlpjs/similarity';
import type { CatalogIndex, NameEntry } from './catalog-index.ts';

/**
 * A word of the message as a catalog name word: exactly, in the plural ("camiones" → "camion"), with
 * two letters swapped ("jhon"), shortened ("perfo"), or with a typo (Levenshtein distance 1, or 2 for
 * names of 10 letters or more: "escavadora", "caterpilar", "komatzu"). Typos are only looked for in
 * words of 5 letters or more that start like the name and are not a Spanish word close to one.
 */

/** Spanish words one typo away from a usual equipment word: never read as a typo. */
const NOT_TYPOS = new Set(['altas', 'antes', 'atras', 'carga', 'cargo', 'camina', 'camino', 'volco', 'volver']);

/** Verb forms ("volvio", "volvi", "cargado", "perforada") are words of their own, not typos of a name ("volvo", "cargador"). */
const VERB_FORM = /(?:ado|ada|ados|adas|ido|ida|idos|idas|io|i|aba|aban|ando|iendo)$/;

const MEMO_LIMIT = 5000;

function closestName(word: string, index: CatalogIndex): string | null {
  const candidates = index.fuzzyByInitial.get(word[0]!) ?? [];
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of candidates) {
    const allowed = name.length >= 10 ? 2 : 1;
    if (Math.abs(name.length - word.length) > allowed) continue;
    if (VERB_FORM.test(word) && !VERB_FORM.test(name)) continue;
    const distance = leven(word, name);
    if (distance <= allowed && distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

/** Two letters swapped ("jhon" → "john"), a kind cut short ("perfo", "exca" → "perforadora", "excavadora"), or a typo. */
function nearName(word: string, index: CatalogIndex): string | null {
  for (let i = 0; i < word.length - 1; i += 1) {
    const swapped = word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
    if (index.names.has(swapped)) return swapped;
  }
  if (word.length <= 6) {
    const kind = index.longKinds.find((long) => long.length - word.length >= 4 && long.startsWith(word));
    if (kind) return kind;
  }
  if (word.length < 5) return null;
  const singular = word.endsWith('s') && word.length >= 6 ? word.slice(0, -1) : word;
  return closestName(singular, index) ?? (singular === word ? null : closestName(word, index));
}

/** The name word a misspelled word stands for (memoized per catalog). */
function fuzzyName(word: string, index: CatalogIndex): string | null {
  const memo = index.fuzzyMemo.get(word);
  if (memo !== undefined) return memo;
  const name = nearName(word, index);
  if (index.fuzzyMemo.size >= MEMO_LIMIT) index.fuzzyMemo.clear();
  index.fuzzyMemo.set(word, name);
  return name;
}

/** The catalog entry a folded word names, if any (words with digits, the models, only exactly). */
export function lookUpName(word: string, index: CatalogIndex): NameEntry | undefined {
  const exact = index.names.get(word);
  if (exact) return exact;
  if (!/^[a-z]+$/.test(word)) return undefined;
  if (word.length >= 4) {
    const plural = word.endsWith('es') ? index.names.get(word.slice(0, -2)) : undefined;
    const singular = plural ?? (word.endsWith('s') ? index.names.get(word.slice(0, -1)) : undefined);
    if (singular) return singular;
  }
  if (word.length < 4 || NOT_TYPOS.has(word)) return undefined;
  const name = fuzzyName(word, index);
  return name ? index.names.get(name) : undefined;
}
