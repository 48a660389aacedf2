import type { Context } from 'hono';
import { AuthError } from '../../core/errors.ts';
import { parseForm } from '../../core/http/read-json.ts';
import type { PluginHost } from '../../core/plugin.ts';
import { verifyTwilioSignature } from './verify.ts';

/** Rejected requests are logged at most once per this interval (anyone can post them). */
export const REJECTION_LOG_INTERVAL_MS = 60_000;

/** Runs `log` at most once per `intervalMs`, telling it how many calls were skipped since. */
export function throttled(intervalMs: number, now: () => number = Date.now) {
  let last = Number.NEGATIVE_INFINITY;
  let skipped = 0;
  return (log: (skipped: number) => void): void => {
    const at = now();
    if (at - last < intervalMs) {
      skipped += 1;
      return;
    }
    last = at;
    const count = skipped;
    skipped = 0;
    log(count);
  };
}

/**
 * The `verify` step of a Twilio webhook on `path`: `X-Twilio-Signature` over the URL Twilio requested
 * (PUBLIC_URL + path + query, as configured in its console or sent as `StatusCallback`) and the form
 * fields; `AuthError` (401) otherwise. The warning leaves out the caller-chosen query string.
 */
export function twilioSignatureCheck(authToken: string, host: PluginHost, path: string, now?: () => number) {
  const warn = throttled(REJECTION_LOG_INTERVAL_MS, now);
  const expectedBase = `${host.config.publicUrl}${path}`;
  return (c: Context, raw: Buffer): void => {
    const signature = c.req.header('x-twilio-signature');
    const signedUrl = `${expectedBase}${new URL(c.req.url).search}`;
    if (verifyTwilioSignature(authToken, signedUrl, parseForm(raw), signature)) return;
    warn((skipped) =>
      host.logger.warn(
        { path, hasSignature: Boolean(signature), expectedBase, rejectedSinceLastWarning: skipped },
        'Twilio webhook signature rejected (is PUBLIC_URL exactly the host of the URL set in the Twilio console?)',
      ),
    );
    throw new AuthError(
      signature ? 'X-Twilio-Signature does not match the URL and parameters' : 'X-Twilio-Signature is missing',
    );
  };
}
