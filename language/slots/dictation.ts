import { readText } from '../text.ts';
import { codeAt } from './equipment-codes.ts';
import { isNumberWord } from './number-words.ts';

/**
 * Folded text with the numbers dictated after a code prefix written as digits: "cat cero cero uno"
 * → "cat 001", "kom cero dos" → "kom 02", "atl uno" → "atl 1". Other words are kept ("hay dos fugas"
 * stays: "hay" is not a code prefix).
 */
export function normalizeDictation(folded: string): string {
  const read = readText(folded);
  const { words } = read;
  let out = '';
  let at = 0;
  for (let i = 0; i < words.length; i += 1) {
    if (!isNumberWord(words[i + 1]?.w ?? '')) continue;
    const code = codeAt(read, i, undefined);
    if (!code) continue;
    out += `${read.text.slice(at, words[i]!.end)} ${code.digits}`;
    at = words[code.last]!.end;
    i = code.last;
  }
  return out + read.text.slice(at);
}
