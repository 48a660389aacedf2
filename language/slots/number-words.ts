/**
 * Spoken numbers (folded Spanish words) as digits. In a code or an order number said by voice
 * (`spokenDigitsAt`), digit by digit ("cero cero uno" → "001", "uno cinco" → "15", "doble cero uno" →
 * "001") or as one number ("dieciocho" → "18", "trescientos treinta y seis" → "336"), or both ("tres
 * treinta y seis" → "336"); "un"/"una" are articles there, not digits. In a quantity (`wordsToDigits`,
 * the minutes a completion took), each number said as a whole, up to 999, with "un"/"una" as 1.
 */

const DIGITS: ReadonlyMap<string, number> = new Map([
  ['cero', 0],
  ['uno', 1],
  ['dos', 2],
  ['tres', 3],
  ['cuatro', 4],
  ['cinco', 5],
  ['seis', 6],
  ['siete', 7],
  ['ocho', 8],
  ['nueve', 9],
]);

const TEENS: ReadonlyMap<string, number> = new Map([
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
  ['veintiuno', 21],
  ['veintiun', 21],
  ['veintiuna', 21],
  ['veintidos', 22],
  ['veintitres', 23],
  ['veinticuatro', 24],
  ['veinticinco', 25],
  ['veintiseis', 26],
  ['veintisiete', 27],
  ['veintiocho', 28],
  ['veintinueve', 29],
]);

const TENS: ReadonlyMap<string, number> = new Map([
  ['treinta', 30],
  ['cuarenta', 40],
  ['cincuenta', 50],
  ['sesenta', 60],
  ['setenta', 70],
  ['ochenta', 80],
  ['noventa', 90],
]);

const HUNDREDS: ReadonlyMap<string, number> = new Map([
  ['cien', 100],
  ['ciento', 100],
  ['doscientos', 200],
  ['trescientos', 300],
  ['cuatrocientos', 400],
  ['quinientos', 500],
  ['seiscientos', 600],
  ['setecientos', 700],
  ['ochocientos', 800],
  ['novecientos', 900],
]);

/** True for a word that can start a spoken number. */
export function isNumberWord(word: string): boolean {
  return DIGITS.has(word) || TEENS.has(word) || TENS.has(word) || HUNDREDS.has(word) || word === 'doble';
}

/** The units of a quantity: "un"/"una" count ("una hora"). */
const QUANTITY_UNITS: ReadonlyMap<string, number> = new Map([...DIGITS, ['un', 1], ['una', 1]]);

/** One number said as a whole ("ciento veinte", "treinta y seis", "ocho") at `start`: its value and length. */
function wholeNumberAt(
  words: readonly string[],
  start: number,
  units: ReadonlyMap<string, number> = DIGITS,
): { value: number; length: number } {
  let i = start;
  let value = 0;
  const hundred = HUNDREDS.get(words[i] ?? '');
  if (hundred !== undefined) {
    value += hundred;
    i += 1;
    if (words[i - 1] === 'cien') return { value, length: 1 };
  }
  const tens = TENS.get(words[i] ?? '');
  const small = TEENS.get(words[i] ?? '') ?? units.get(words[i] ?? '');
  if (tens !== undefined) {
    value += tens;
    i += 1;
    const unit = words[i] === 'y' ? units.get(words[i + 1] ?? '') : undefined;
    if (unit) {
      value += unit;
      i += 2;
    }
  } else if (small !== undefined && !(hundred !== undefined && small === 0)) {
    value += small;
    i += 1;
  }
  return { value, length: i - start };
}

/**
 * The digits spoken from `words[start]` on and how many words they took (length 0: none): each piece
 * is a digit ("cero"), "doble" + digit, or a whole number, and the pieces are written one after another.
 */
export function spokenDigitsAt(words: readonly string[], start: number): { digits: string; length: number } {
  let digits = '';
  let i = start;
  while (i < words.length) {
    const word = words[i]!;
    const doubled = word === 'doble' ? DIGITS.get(words[i + 1] ?? '') : undefined;
    if (doubled !== undefined) {
      digits += String(doubled).repeat(2);
      i += 2;
      continue;
    }
    if (word === 'cero') {
      digits += '0';
      i += 1;
      continue;
    }
    const whole = wholeNumberAt(words, i);
    if (whole.length === 0) break;
    digits += String(whole.value);
    i += whole.length;
  }
  return { digits, length: i - start };
}

/** The text with every number said as a whole written as digits ("dos horas y media" → "2 horas y media"). */
export function wordsToDigits(folded: string): string {
  const words = folded.split(' ');
  const out: string[] = [];
  for (let i = 0; i < words.length; ) {
    const { value, length } = wholeNumberAt(words, i, QUANTITY_UNITS);
    if (length === 0) {
      out.push(words[i]!);
      i += 1;
    } else {
      out.push(String(value));
      i += length;
    }
  }
  return out.join(' ');
}
