import { foldText } from '../lib/fold-text.ts';

/**
 * A field message shaped for the intent classifier: folded, dictated numbers written as digits, and the
 * values replaced by placeholder words so that the classifier learns the shape of a message, not its
 * codes: "OT-CORR-1" / "la ot dieciocho" → "ordernum", "CAT-002" / "cat cero cero uno" / "L350" →
 * "equipcode", any other number → "num".
 */

export const ORDER_TOKEN = 'ordernum';
export const EQUIPMENT_TOKEN = 'equipcode';
export const NUMBER_TOKEN = 'num';

const DIGIT_WORDS: ReadonlyMap<string, number> = new Map([
  ['cero', 0],
  ['uno', 1],
  ['un', 1],
  ['una', 1],
  ['dos', 2],
  ['tres', 3],
  ['cuatro', 4],
  ['cinco', 5],
  ['seis', 6],
  ['siete', 7],
  ['ocho', 8],
  ['nueve', 9],
  ['diez', 10],
  ['once', 11],
  ['doce', 12],
  ['trece', 13],
  ['catorce', 14],
  ['quince', 15],
  ['dieciseis', 16],
  ['diecisiete', 17],
  ['dieciocho', 18],
  ['diecinueve', 19],
  ['veinte', 20],
  ['treinta', 30],
  ['cuarenta', 40],
  ['cincuenta', 50],
  ['cien', 100],
]);

/** Short words that are Spanish, not a code's prefix ("las 3", "hace 2 días"). */
const FUNCTION_WORDS = new Set(
  (
    'a al el la los las lo le les un una uno de del en con por para y o que se me te mi mis tu su sus es son hay ' +
    'hace dia dias mes ano hora min seg vez ya mas muy no si como cada solo pero ni va van esta este eso esa ese hoy ' +
    'tipo nivel cerca unos unas mil'
  ).split(' '),
);

/** Words after which spelled numbers are a number ("ot dieciocho", "orden número dos", "cat cero uno"). */
const isNumberLead = (token: string) =>
  token === 'ot' ||
  token === 'orden' ||
  token === 'numero' ||
  token === 'nro' ||
  token === 'n' ||
  (/^[a-z]{2,4}$/.test(token) && !FUNCTION_WORDS.has(token));

/** Spelled numbers as digits where they are a code's or an order's ("cat cero cero uno" → "cat 001"). */
function dictatedNumbers(folded: string): string {
  const tokens = folded.split(' ');
  const out: string[] = [];
  for (let i = 0; i < tokens.length; ) {
    const lead = out.at(-1);
    const digits: number[] = [];
    let j = i;
    while (j < tokens.length && DIGIT_WORDS.has(tokens[j]!)) digits.push(DIGIT_WORDS.get(tokens[j++]!)!);
    // "una fuga": one spelled number after an article is a word; zeros ("cero uno") are always a code.
    const isCode = digits.includes(0) || (digits.length > 0 && lead !== undefined && isNumberLead(lead));
    if (isCode && !(digits.length === 1 && ['un', 'una'].includes(tokens[i]!))) {
      out.push(digits.includes(0) ? digits.join('') : String(digits.reduce((a, b) => a + b, 0)));
      i = j;
    } else {
      out.push(tokens[i]!);
      i += 1;
    }
  }
  return out.join(' ');
}

const ORDER_TYPES = '(?:corr|prev|pred|mejo|mej|insp|emer)';
/** "ot-corr-1", "ot corr 1", "OT 15", "ot n° 15", "ot #15", "ot-corr-cat-001-2026-768". */
const ORDER_NUMBER = new RegExp(
  `(^|[^a-z0-9])ot\\s*[-_#]?\\s*(?:n[°o]?\\.?\\s*|numero\\s+|nro\\.?\\s*)?(?:${ORDER_TYPES}\\s*[-_]?\\s*)?` +
    '(?=[a-z0-9_-]*\\d)[a-z0-9]+(?:[-_][a-z0-9]+)*(?![a-z0-9])',
  'g',
);
/** "la orden 18", "orden número 18", "orden n° 18". */
const ORDER_BY_WORD = /\b(orden(?:es)?)\s+(?:n[°o]?\.?\s*|numero\s+|nro\.?\s*|#\s*)?\d+(?![a-z0-9])/g;
/** "cat-002", "cat002", "l350", "d65", "jd-001". */
const JOINED_CODE = /\b[a-z]{1,4}[-_]?\d{1,5}[a-z]?\b/g;
/** "cat 002", "kom 1", "cat 336" (not "las 3"). */
const SPACED_CODE = /\b([a-z]{2,4}) (\d{1,5}[a-z]?)\b/g;

/**
 * Emoji that say a word on their own: a thumbs-up or an OK hand is an "ok", folded hands a "gracias",
 * laughing faces a "jaja". The others say nothing (they drop out as punctuation; a waving hand greets or
 * says goodbye).
 */
const EMOJI_WORDS: readonly (readonly [RegExp, string])[] = [
  [/[\u{1F44D}\u{1F44C}\u{2705}\u{2714}\u{1F197}\u{1F919}]/gu, 'ok'],
  [/\u{1F64F}/gu, 'gracias'],
  [/[\u{1F602}\u{1F923}\u{1F605}\u{1F606}\u{1F604}\u{1F601}]/gu, 'jaja'],
];

/** The text with the emoji that say a word written as that word ("👍👍" → " ok  ok "). */
export function emojiAsWords(text: string): string {
  let out = text;
  for (const [emoji, word] of EMOJI_WORDS) out = out.replace(emoji, ` ${word} `);
  return out;
}

/** Letters said long ("holaaa", "graciaaas", "okiii") said once. */
const stretched = (t: string) => t.replace(/([a-z])\1{2,}/g, '$1');

/** A syllable said three times or more is a laugh or filler ("jajaja", "jsjsjs", "blablabla"): "jaja". */
const laughs = (t: string) => t.replace(/\b([a-z]{1,3})\1{2,}[a-z]?\b/g, 'jaja');

/** Chat spellings written out ("q" → "que", "kiero" → "quiero", "x" → "por"). */
const SPELLINGS: ReadonlyMap<string, string> = new Map([
  ['q', 'que'],
  ['ke', 'que'],
  ['k', 'que'],
  ['x', 'por'],
  ['xq', 'porque'],
  ['pq', 'porque'],
  ['porq', 'porque'],
  ['tb', 'tambien'],
  ['tmb', 'tambien'],
  ['d', 'de'],
  ['kiero', 'quiero'],
  ['kero', 'quiero'],
  ['qiero', 'quiero'],
  ['nesecito', 'necesito'],
  ['nececito', 'necesito'],
  ['nesesito', 'necesito'],
  ['porfavor', 'por favor'],
  ['xfa', 'por favor'],
  ['xfavor', 'por favor'],
]);
/** Words that only soften a message ("porfa", "oye", "jefe"): dropped when anything else is said. */
const FILLERS = /\b(?:por favor|porfa|porfis|pls|plis|please|oye|po|pues|jefe|compa|compadre)\b/g;

function chatWords(t: string): string {
  const spelled = t.replace(/\b[a-z]+\b/g, (word) => SPELLINGS.get(word) ?? word);
  const plain = spelled.replace(FILLERS, ' ');
  return /[a-z0-9]/.test(plain) ? plain : spelled;
}

/** The message as the classifier reads it: folded text with placeholders (see the module's comment). */
export function classifierText(text: string): string {
  let t = chatWords(laughs(stretched(foldText(emojiAsWords(text)))));
  t = dictatedNumbers(t.replace(/(\d)([a-z]{3,})/g, '$1 $2'));
  t = t.replace(ORDER_NUMBER, `$1 ${ORDER_TOKEN} `).replace(ORDER_BY_WORD, `$1 ${ORDER_TOKEN}`);
  t = t.replace(JOINED_CODE, (code) => (/^(ot|n|nro)\b/.test(code) ? code : EQUIPMENT_TOKEN));
  t = t.replace(SPACED_CODE, (whole, prefix: string) => (FUNCTION_WORDS.has(prefix) ? whole : EQUIPMENT_TOKEN));
  t = t.replace(/\b\d+(?:[.,]\d+)?[a-z]?\b/g, NUMBER_TOKEN);
  return t.replace(/\s+/g, ' ').trim();
}
