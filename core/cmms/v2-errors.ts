import { isRecord } from '../../lib/is-record.ts';

/**
 * The CMMS's refusal as one short line for an error's message (and so for logs): both APIs' shapes.
 * The original API answers DRF's `{detail}` or field errors (`{idequipo: ['…']}`,
 * `non_field_errors`); the later one (`/api/v2/`) `{error: true, message, code, details, timestamp}`,
 * and its extra actions `{error: '<text>'}`. Control characters are dropped and the line is cut, so
 * an answer cannot forge log lines or flood them. The DAGs read answers the same way
 * (`dags/omnibot_common/cmms_v2.py` `error_message`).
 */

/** The longest message kept (characters); longer ones end with `…`. */
export const CMMS_ERROR_MESSAGE_MAX = 200;

/** One line: control characters (newlines too) as spaces, runs of spaces as one, cut at the maximum. */
export function logSafe(text: string, max = CMMS_ERROR_MESSAGE_MAX): string {
  const line = text
    .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Field errors `{field: ['…', …]}` as `field: …; field: …` (`non_field_errors` without its name). */
function fieldErrors(body: Record<string, unknown>): string | undefined {
  const parts: string[] = [];
  for (const [field, value] of Object.entries(body)) {
    const texts = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
    if (!texts.length) continue;
    parts.push(field === 'non_field_errors' ? texts.join(' ') : `${field}: ${texts.join(' ')}`);
  }
  return parts.length ? parts.join('; ') : undefined;
}

/** The message of a parsed error answer (either API), or undefined when it has none. */
export function cmmsErrorMessage(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim() ? logSafe(body) : undefined;
  if (!isRecord(body)) return undefined;
  if (body.error === true || (typeof body.message === 'string' && 'code' in body)) {
    const message = typeof body.message === 'string' && body.message.trim() ? body.message : 'An error occurred';
    const code = typeof body.code === 'string' && body.code !== 'API_ERROR' ? ` (${body.code})` : '';
    return logSafe(`${message}${code}`);
  }
  if (typeof body.error === 'string' && body.error.trim()) return logSafe(body.error);
  if (typeof body.detail === 'string' && body.detail.trim()) return logSafe(body.detail);
  const fields = fieldErrors(body);
  return fields === undefined ? undefined : logSafe(fields);
}

/** The message of an error answer's raw text: its JSON's message, else the text itself (an HTML 404). */
export function cmmsErrorText(text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return logSafe(text.replace(/<[^>]*>/g, ' '));
  }
  return cmmsErrorMessage(parsed) ?? logSafe(text);
}
