/**
 * Spanish number words in folded text (no accents, lower case) written as digits: "noventa" → "90",
 * "ciento veinte" → "120", "dos horas y media" → "2 horas y media". Up to "novecientos noventa y
 * nueve"; "un"/"una"/"uno" are 1. Part of the minutes parser.
 */

const UNITS: ReadonlyMap<string, number> = new Map([
  ['un', 1],
  ['uno', 1],
  ['una', 1],
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
  ['veintiun', 21],
  ['veintiuno', 21],
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

/** The number spelled from `tokens[start]` on, and how many tokens it took (0: none). */
function numberAt(tokens: string[], start: number): { value: number; length: number } {
  let i = start;
  let value = 0;
  const hundred = HUNDREDS.get(tokens[i] ?? '');
  if (hundred !== undefined) {
    value += hundred;
    i += 1;
    if (hundred === 100 && tokens[i - 1] === 'cien') return { value, length: 1 };
  }
  const tens = TENS.get(tokens[i] ?? '');
  const small = TEENS.get(tokens[i] ?? '') ?? UNITS.get(tokens[i] ?? '');
  if (tens !== undefined) {
    value += tens;
    i += 1;
    const unit = tokens[i] === 'y' ? UNITS.get(tokens[i + 1] ?? '') : undefined;
    if (unit !== undefined) {
      value += unit;
      i += 2;
    }
  } else if (small !== undefined) {
    value += small;
    i += 1;
  }
  return { value, length: i - start };
}

/** The text with every spelled number written as digits (other words kept as they are). */
export function wordsToDigits(folded: string): string {
  const tokens = folded.split(' ');
  const out: string[] = [];
  for (let i = 0; i < tokens.length; ) {
    const { value, length } = numberAt(tokens, i);
    if (length === 0) {
      out.push(tokens[i]!);
      i += 1;
    } else {
      out.push(String(value));
      i += length;
    }
  }
  return out.join(' ');
}
