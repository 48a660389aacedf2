import { foldText } from '../lib/fold-text.ts';
import { hasWord, words } from './words.ts';

/** Answers to the assistant's questions (part of the intent matcher): a priority, a yes or a no. */

export type Priority = 'Baja' | 'Media' | 'Alta' | 'Crítica';

const normalize = foldText;

/** A Map, not an object: a word such as "constructor" must not find an inherited property. */
const PRIORITIES: ReadonlyMap<string, Priority> = new Map([
  ['baja', 'Baja'],
  ['1', 'Baja'],
  ['media', 'Media'],
  ['2', 'Media'],
  ['alta', 'Alta'],
  ['3', 'Alta'],
  ['critica', 'Crítica'],
  ['urgente', 'Crítica'],
  ['4', 'Crítica'],
]);

/** `alta`, `Crítica`, `3`, `priority:alta` → the CMMS priority; undefined when none matches ("no es urgente"). */
export function parsePriority(text: string): Priority | undefined {
  const t = normalize(text).replace(/^priority:/, '');
  const tokens = t.split(/[^a-z0-9]+/);
  for (const [i, token] of tokens.entries()) {
    const match = PRIORITIES.get(token);
    const negated = tokens.slice(Math.max(0, i - 2), i).includes('no');
    if (match && !negated) return match;
  }
  return undefined;
}

const YES = [
  'si',
  'sii',
  'sipo',
  'yes',
  'confirmar',
  'confirmo',
  'ok',
  'okey',
  'dale',
  'correcto',
  'afirmativo',
  'ya',
  'claro',
  'bueno',
  'listo',
  'perfecto',
  'de acuerdo',
];

/** `sí`/`ya po`/`confirmar`/`ok` → true, `no` (first, whatever follows) → false, anything else → undefined. */
export function parseConfirmation(text: string): boolean | undefined {
  const t = normalize(text);
  if (t === 'confirm:yes') return true;
  if (t === 'confirm:no' || words(t)[0] === 'no' || hasWord(t, 'negativo')) return false;
  const yes = hasWord(t, ...YES);
  const no = hasWord(t, 'no');
  if (yes && no) return undefined; // "ok no", "sí, no sé": ask again
  return yes ? true : no ? false : undefined;
}
