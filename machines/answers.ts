import { emojiAsWords } from '../language/classifier-text.ts';
import { foldText } from '../lib/fold-text.ts';
import { hasWord, words } from './words.ts';

/**
 * Short answers (part of the intent matcher): a priority, a yes or a no to the assistant's questions, and
 * the small talk a whole message may be (a greeting, thanks, a farewell, an acknowledgement).
 */

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

/**
 * Small talk, read only when the whole message is made of it ("ok", "ya po", "chao cabros", "buen día
 * jefe", "vale gracias"): thanks before a farewell or a greeting before an acknowledgement ("ok gracias"
 * thanks). Matched on folded text without punctuation, letters said long said once ("holaaa"), emoji that say
 * a word read as it ("👍" ok, "🙏" gracias).
 */
export type SmallTalk = 'greeting' | 'thanks' | 'farewell' | 'acknowledge';

const SMALL_TALK: readonly (readonly [SmallTalk, string])[] = [
  [
    'thanks',
    'gracias|muchas gracias|mil gracias|gracias totales|grax|grasias|thx|thanks|ty|agradecid[oa]|se agradece|te pasaste|muy amable|buena onda',
  ],
  [
    'farewell',
    'chao|chau|chaito|adios|bye|nos vemos|nos vidrios|nos hablamos|hasta (?:luego|manana|pronto|la proxima)|(?:ya )?me voy|me tengo que ir|tengo que irme|me retiro|me despido|cuidate|que estes bien|cambio y fuera',
  ],
  [
    'greeting',
    'hola|holi|holis|hey|alo|wena|wenas|buenas|buen dia|buenos dias|buenas (?:tardes|noches|dias)|saludos|(?:que|q) tal|(?:que|q) onda|como (?:estai|estas|esta|va)|quiubo|que hubo|hello|hi',
  ],
  [
    'acknowledge',
    'ok|okey|okay|oka|oki|okis|okidoki|ya|ya po|po|sip|sipo|dale|de una|listo|perfecto|bacan|entendido|entiendo|vale|de acuerdo|ya cacho|cacho|recibido|copiado|anotado|conforme|esta bien|sale|va|joya|excelente|genial|super|buenisimo|buena|claro|bueno',
  ],
];
/** Words around small talk that change nothing ("gracias jefe", "hola bot", "chao cabros"). */
const FILLERS =
  'bot|asistente|jefe|compadre|compa|amigo|cabros|chiquillos|a todos|por todo|por la ayuda|x la ayuda|y|po';
/** The whole message made of small talk's phrases and fillers. */
const ONLY_SMALL_TALK = new RegExp(`^(?:(?:${[...SMALL_TALK.map(([, p]) => p), FILLERS].join('|')})(?: |$))+$`);
const SMALL_TALK_PATTERNS = SMALL_TALK.map(
  ([kind, phrases]) => [kind, new RegExp(`(?:^| )(?:${phrases})(?= |$)`)] as const,
);

/** The small talk a whole message is; undefined when it says anything else. */
export function smallTalk(text: string): SmallTalk | undefined {
  const t = normalize(emojiAsWords(text))
    .replace(/([a-z])\1{2,}/g, '$1')
    .replace(/[^a-z0-9 ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!t || !ONLY_SMALL_TALK.test(t)) return undefined;
  return SMALL_TALK_PATTERNS.find(([, pattern]) => pattern.test(t))?.[0];
}
