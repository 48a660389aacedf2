/**
 * An HTTP `Retry-After` header (RFC 9110 §10.2.3: delay in seconds or an HTTP date) in milliseconds
 * from `now`; null when absent or unreadable. A date in the past is 0.
 */
export function parseRetryAfter(header: string | string[] | undefined, now = Date.now()): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
