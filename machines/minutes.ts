import { wordsToDigits } from '../language/slots/number-words.ts';
import { foldText } from '../lib/fold-text.ts';

// A completion's time spent, as a technician writes it (part of the intent matcher).

/** The most minutes a completion may record (a month of work on one order). */
export const MAX_MINUTES = 60 * 24 * 31;

/** More than this (16 hours) is asked again before it is recorded ("¿Seguro que fueron…?"). */
export const LONG_MINUTES = 16 * 60;

const HOURS = '(?:h|hr|hrs|hora|horas)';
const MINUTES = '(?:m|min|mins|minuto|minutos)';

/** Words around a time that change nothing: "como 40 min", "unos 30 minutos", "1 hora aprox". */
const HEDGES =
  /\b(?:aproximadamente|aprox|approx|alrededor de|cerca de|mas o menos|como|unos|unas|casi|fueron|fue|en total|total|me tomo|me demore|demore)\b|[~≈]|\+-|\+\/-/g;

/** Folded, hedges and end punctuation gone, `45'` as minutes, spelled numbers as digits. */
function clean(text: string): string {
  const t = foldText(text)
    .replace(HEDGES, ' ')
    .replace(/(\d)\s*['’´](?!['’´])/g, '$1 min')
    .replace(/\.(?!\d)/g, ' ')
    .replace(/[!¡?¿,;]+$/g, '')
    .replace(/(\d),(\d)/g, '$1.$2');
  return wordsToDigits(foldText(t));
}

/** "hora y media", "2 horas y cuarto", "media hora", "1:30" and the like; undefined for anything else. */
function spokenMinutes(t: string): number | undefined {
  const fraction = /^(\d+ )?horas? y (media|1 cuarto|cuarto|3 cuartos)$/.exec(t);
  if (fraction) {
    const extra = fraction[2] === 'media' ? 30 : fraction[2] === '3 cuartos' ? 45 : 15;
    return Number(fraction[1] ?? 1) * 60 + extra;
  }
  if (/^media hora$/.test(t)) return 30;
  if (/^(1 )?cuarto de hora$/.test(t)) return 15;
  if (/^3 cuartos de hora$/.test(t)) return 45;
  const clock = new RegExp(`^(\\d{1,3}):([0-5]\\d)(?: ?${HOURS})?$`).exec(t);
  if (clock) return Number(clock[1]) * 60 + Number(clock[2]);
  return undefined;
}

/**
 * Time spent, in whole minutes: `45`, `45 min`, `45 min.`, `45'`, `1 hora`, `1,5 horas`, `1 h 30`,
 * `1:30`, `1 hora y 30 minutos`, `una hora`, `dos horas`, `noventa`, `ciento veinte`, `media hora`,
 * `hora y media`, `como 40 min`, `unos 30 minutos`, `1 hora aprox`. Undefined when it is not a time,
 * below 1 or above `MAX_MINUTES`.
 */
export function parseMinutes(text: string): number | undefined {
  const t = clean(text);
  const minutes = spokenMinutes(t) ?? writtenMinutes(t);
  if (minutes === undefined || !Number.isInteger(minutes) || minutes < 1 || minutes > MAX_MINUTES) return undefined;
  return minutes;
}

/** "45", "45 min", "2 horas", "1,5 h", "1 h 30", "1 hora y 30 minutos"; undefined for anything else. */
function writtenMinutes(t: string): number | undefined {
  const plain = new RegExp(`^(\\d+)\\s*${MINUTES}?$`).exec(t);
  if (plain) return Number(plain[1]);
  const hours = new RegExp(`^(\\d+(?:\\.\\d+)?)\\s*${HOURS}(?:\\s*(?:y\\s*)?(\\d+)\\s*${MINUTES}?)?$`).exec(t);
  return hours ? Math.round(Number(hours[1]) * 60) + Number(hours[2] ?? 0) : undefined;
}

/** "33 horas y 20 minutos", "17 horas", "45 minutos", "1 hora y 1 minuto". */
export function durationText(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const hoursText = h === 1 ? '1 hora' : `${h} horas`;
  const minutesText = m === 1 ? '1 minuto' : `${m} minutos`;
  if (h === 0) return minutesText;
  return m === 0 ? hoursText : `${hoursText} y ${minutesText}`;
}
