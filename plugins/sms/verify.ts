import { createHmac } from 'node:crypto';
import { safeEqual } from '../../core/auth/safe-equal.ts';

/**
 * `X-Twilio-Signature` (twilio.com/docs/usage/webhooks/webhooks-security): base64 of HMAC-SHA1,
 * keyed with the auth token, over the full webhook URL Twilio requested (as configured, query
 * included) followed by every POST parameter's name and value, sorted by name (a repeated name's
 * values sorted too, identical name/value pairs counted once, as twilio-python's RequestValidator
 * does: `sorted(set(values))`).
 */

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The string Twilio signs: the URL, then `name + value` of each distinct parameter in sorted order. */
export function signedString(url: string, params: Iterable<readonly [string, string]>): string {
  const distinct = new Map<string, readonly [string, string]>();
  for (const pair of params) distinct.set(JSON.stringify(pair), pair);
  const sorted = [...distinct.values()].sort(([an, av], [bn, bv]) => byCodeUnits(an, bn) || byCodeUnits(av, bv));
  return url + sorted.map(([name, value]) => name + value).join('');
}

/** The `X-Twilio-Signature` Twilio sends for this URL and these POST parameters. */
export function signTwilioRequest(authToken: string, url: string, params: Iterable<readonly [string, string]>): string {
  return createHmac('sha1', authToken).update(signedString(url, params), 'utf8').digest('base64');
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

/**
 * The URL as given and with its default port written or left out: Twilio's SDKs accept both, since
 * a console URL `https://host/…` and `https://host:443/…` name the same endpoint.
 */
export function urlVariants(url: string): string[] {
  const match = /^(https?:)\/\/([^/?#]+)(.*)$/i.exec(url);
  if (!match) return [url];
  const [, scheme, authority, rest] = match as unknown as [string, string, string, string];
  const port = DEFAULT_PORTS[scheme.toLowerCase()]!;
  const [, host, given] = /^(.*?)(?::(\d+))?$/.exec(authority) as unknown as [string, string, string | undefined];
  if (given === undefined) return [url, `${scheme}//${host}:${port}${rest}`];
  return given === port ? [url, `${scheme}//${host}${rest}`] : [url];
}

/** Checks `X-Twilio-Signature` in constant time against the configured URL (either port form). */
export function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: Iterable<readonly [string, string]>,
  header: string | undefined,
): boolean {
  if (!header) return false;
  const list = [...params];
  // Every form is compared (no early exit): the time does not tell which one matched.
  return urlVariants(url)
    .map((candidate) => safeEqual(header, signTwilioRequest(authToken, candidate, list)))
    .reduce((any, ok) => any || ok, false);
}
