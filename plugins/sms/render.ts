import { splitTail, splitText, truncate } from '../../core/delivery/split-text.ts';
import type { Button, OutboundMessage } from '../../core/types.ts';
import { answerPrompt } from './options.ts';
import { foldToGsm7 } from './segments.ts';
import { LIMITS } from './types.ts';

export interface SmsRenderOptions {
  /** Fold the letters GSM-7 lacks (á í ó ú) to plain ones (SMS_GSM7_FOLD); default false. */
  gsm7Fold?: boolean;
}

/**
 * Typography that is not GSM-7 and would turn a whole message into UCS-2 (70 characters per
 * segment instead of 160) for no meaning: bullets, ellipsis, curly quotes, dashes, arrows, odd
 * spaces, signs with a plain spelling. Degrees: "N°" is "Nro.", "85 °C" is "85 C", "90°" is
 * "90 grados"; the ordinal "º" (1º) is "o".
 */
const TYPOGRAPHY: [RegExp, string][] = [
  [/^[ \t]*[•●▪◦‣·][ \t]*/gmu, '- '],
  [/…/gu, '...'],
  [/[“”«»„]/gu, '"'],
  [/[‘’‚]/gu, "'"],
  [/[–—‒‐]/gu, '-'],
  [/[→⇒]/gu, '->'],
  [/[←⇐]/gu, '<-'],
  [/©/gu, '(c)'],
  [/®/gu, '(R)'],
  [/™/gu, '(TM)'],
  [/×/gu, 'x'],
  [/\b([Nn])[°º]/gu, '$1ro.'],
  [/\s?°([CF])\b/gu, ' $1'],
  [/(\d)\s?°/gu, '$1 grados'],
  [/[°º]/gu, 'o'],
  [/[\u00a0\u2000-\u200a\u202f\u205f]/gu, ' '],
];

/** ASCII ellipsis: "…" alone would make the whole SMS UCS-2. */
const ELLIPSIS = '...';

/** Emoji and their joiners, variation selectors, skin tones and keycaps: decoration that costs segments. */
const EMOJI = /\p{Extended_Pictographic}|[\u{1F1E6}-\u{1F1FF}\u{1F3FB}-\u{1F3FF}]|\u200d|\ufe0f|\u20e3/gu;

/** A text made compact for SMS: plain typography, no emoji, no blank lines, single spaces. */
export function compactText(text: string): string {
  let out = text.replace(/\r\n?/g, '\n');
  for (const [pattern, replacement] of TYPOGRAPHY) out = out.replace(pattern, replacement);
  return out
    .replace(EMOJI, '')
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .filter((line) => line.length > 0)
    .join('\n');
}

/** A compact text of at most `max` characters, cut at a character and ended with "..." when longer. */
export function shorten(text: string, max: number): string {
  const compact = compactText(text);
  if (compact.length <= max) return compact;
  return `${truncate(compact, max - ELLIPSIS.length + 1)
    .slice(0, -1)
    .trimEnd()}${ELLIPSIS}`;
}

/** "1. Baja" lines and "Responde 1, 2, 3 o 4." under them. */
export function optionLines(buttons: readonly Button[]): string {
  const shown = buttons.slice(0, LIMITS.options);
  const lines = shown.map((b, i) => `${i + 1}. ${shorten(b.title, LIMITS.optionTitle)}`);
  return [...lines, answerPrompt(shown.length)].join('\n');
}

/**
 * The SMS bodies of one outbound message, in order: its text made compact, with numbered options
 * for its buttons, in parts of at most 1,600 characters broken at lines or words; the options stay
 * whole in the last part.
 */
export function renderSms(message: OutboundMessage, options: SmsRenderOptions = {}): string[] {
  const fold = (text: string) => (options.gsm7Fold ? foldToGsm7(text) : text);
  const text = fold(compactText(message.text));
  const buttons = message.buttons ?? [];
  // Nothing left to say (a text of emoji only): no empty SMS (Twilio refuses those, 21619).
  if (buttons.length === 0) return text ? splitText(text, LIMITS.body) : [];
  const block = fold(optionLines(buttons));
  const { head, tail } = splitTail(text, LIMITS.body - block.length - 1);
  const before = head ? splitText(head, LIMITS.body) : [];
  return [...before, tail ? `${tail}\n${block}` : block];
}

/** More buttons than can be numbered are dropped (logged by the plugin). */
export function droppedButtons(message: OutboundMessage): number {
  return Math.max(0, (message.buttons?.length ?? 0) - LIMITS.options);
}
