import { foldText } from '../lib/fold-text.ts';

// A completion's time spent, as a technician writes it (part of the intent matcher).

/** The most minutes a completion may record (a month of work on one order). */
export const MAX_MINUTES = 60 * 24 * 31;

const HOURS = '(?:h|hr|hrs|hora|horas)';
const MINUTES = '(?:m|min|mins|minuto|minutos)';

/**
 * Time spent, in whole minutes: `45`, `45 min`, `1 hora`, `1,5 horas`, `1 h 30`, `1 hora y 30 minutos`,
 * `una hora`, `media hora`, `hora y media`. Undefined when it is not a time, below 1 or above `MAX_MINUTES`.
 */
export function parseMinutes(text: string): number | undefined {
  const t = foldText(text)
    .replace(/\b(una|un)\b/g, '1')
    .replace(/^1? ?hora y media$/, '90 min')
    .replace(/^media hora$/, '30 min')
    .replace(/(\d),(\d)/g, '$1.$2');
  let minutes: number | undefined;
  const plain = new RegExp(`^(\\d+)\\s*${MINUTES}?$`).exec(t);
  const hours = new RegExp(`^(\\d+(?:\\.\\d+)?)\\s*${HOURS}(?:\\s*(?:y\\s*)?(\\d+)\\s*${MINUTES}?)?$`).exec(t);
  if (plain) minutes = Number(plain[1]);
  else if (hours) minutes = Math.round(Number(hours[1]) * 60) + Number(hours[2] ?? 0);
  if (minutes === undefined || !Number.isInteger(minutes) || minutes < 1 || minutes > MAX_MINUTES) return undefined;
  return minutes;
}
