import { oneLine } from '../../lib/plain-text.ts';
import { REPORT_MARKER_PREFIX } from '../cmms/reported-failure.ts';
import { TEXT_LIMITS } from './limits.ts';

/**
 * An order's closing observations as a notification may quote them: the CMMS's `observacionesfinales`
 * without the assistant's own report note. A failure reported through the bot writes "Reportado por
 * Diego Fuentes vía el chat web. Reportada por el asistente omnibot (ref. 8d3ae89e4300be7c)" in its
 * observations (`workflows/reportar_falla.ts`), and a CMMS that completes the order without closing
 * observations leaves that note there: it is internal, never news. The same rules as
 * `closing_observations` in `dags/omnibot_common/notify_detect.py`.
 */

/** How `machines/account-replies.ts` (`reportedBy`) names each channel after "vía". */
const CHANNELS = ['WhatsApp', 'Telegram', 'SMS', 'el chat web', 'el asistente'].join('|');
const REPORTED_BY = `Reportado por .{1,200}? vía (?:${CHANNELS})`;
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The run's marker, with the "Reportado por …" line written just before it. */
const NOTE_WITH_MARKER = new RegExp(
  `(?:${REPORTED_BY}\\.? )?${escaped(REPORT_MARKER_PREFIX)} \\(ref\\. [0-9a-f]{16}\\)\\.?`,
  'gu',
);
/** The "Reportado por …" line alone, where the report writes it: first (then a full stop, a space or the end). */
const LEADING_NOTE = new RegExp(`^${REPORTED_BY}(?:\\.|(?= )|$)`, 'u');
/** What a removed note leaves before the text that follows it. */
const LEADING_SEPARATORS = /^[ .,;:]+/u;

/** The closing observations, one line and bounded, without the report note; '' when nothing else is left. */
export function closingObservations(raw: string): string {
  const flat = oneLine(raw, Number.POSITIVE_INFINITY);
  const withoutMarker = oneLine(flat.replace(NOTE_WITH_MARKER, ' '), Number.POSITIVE_INFINITY);
  const withoutNote = withoutMarker.replace(LEADING_SEPARATORS, '').replace(LEADING_NOTE, '');
  return oneLine(withoutNote.replace(LEADING_SEPARATORS, ''), TEXT_LIMITS.observations);
}
