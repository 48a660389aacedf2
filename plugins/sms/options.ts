import type { TranscriptEntry } from '../../core/runtime/types.ts';
import type { Button } from '../../core/types.ts';

/**
 * Buttons over SMS: the options are numbered and answered with their number ("2" presses the
 * second). What the number means is read from the conversation's transcript, shared by every
 * process: the buttons the assistant offered last since the user's previous message.
 */

/** "o" becomes "u" before a word that starts with the sound o: 8 (ocho), 80…, 11 (once). */
const orBefore = (n: number): string => (n === 11 || String(n).startsWith('8') ? 'u' : 'o');

/** The numbers 1…count as a Spanish list: "1", "1 o 2", "1, 2 o 3", "1, 2, …, 7 u 8". */
export function numberList(count: number): string {
  if (count <= 1) return '1';
  const head = Array.from({ length: count - 1 }, (_, i) => String(i + 1)).join(', ');
  return `${head} ${orBefore(count)} ${count}`;
}

/** The line under the numbered options ("Responde 1 o 2."; one option: "Responde 1 para elegirla."). */
export const answerPrompt = (count: number): string =>
  count <= 1 ? 'Responde 1 para elegirla.' : `Responde ${numberList(count)}.`;

/** A reply that is only an option number ("2", " 2 ", "2.", "2)"), as a 1-based number. */
export function optionNumber(text: string | undefined): number | null {
  const match = /^\s*(\d{1,2})\s*[.)]?\s*$/.exec(text ?? '');
  return match ? Number(match[1]) : null;
}

/**
 * The options the user is answering: those of the assistant's most recent message WITH buttons since
 * the user's previous message (read the transcript back to it). A message without buttons in between
 * ("Sigo procesando…", a result, an agent's message) does not withdraw the offer; once the user spoke
 * after it, the offer is gone.
 */
export function offeredButtons(transcript: readonly TranscriptEntry[]): Button[] {
  for (let at = transcript.length - 1; at >= 0; at--) {
    const entry = transcript[at]!;
    if (entry.direction === 'in') return [];
    if (entry.buttons?.length) return entry.buttons;
  }
  return [];
}

/** The button a numbered reply presses, or undefined when the reply is not one of the offered numbers. */
export function pressedButton(text: string | undefined, offered: readonly Button[]): Button | undefined {
  const number = optionNumber(text);
  return number !== null && number >= 1 ? offered[number - 1] : undefined;
}
