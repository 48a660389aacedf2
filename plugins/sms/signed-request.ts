import type { Context } from 'hono';
import { AuthError } from '../../core/errors.ts';
import { parseForm } from '../../core/http/read-json.ts';
import { throttledWarning } from '../../core/log-throttle.ts';
import type { PluginHost } from '../../core/plugin.ts';
import { verifyTwilioSignature } from './verify.ts';

/** The `verify` step of one Twilio webhook route (core/http/webhook-route.ts). */
export type TwilioSignatureCheck = (c: Context, raw: Buffer) => void;

/**
 * The `verify` steps of the channel's Twilio webhooks, by path: `X-Twilio-Signature` over the URL
 * Twilio requested (PUBLIC_URL + path + query, as configured in its console or sent as
 * `StatusCallback`) and the form fields; `AuthError` (401) otherwise. Rejections are warned about at
 * most once a minute for the whole channel (anyone can post them), never with the caller-chosen
 * query string.
 */
export function twilioSignatureChecks(
  authToken: string,
  host: PluginHost,
  now?: () => number,
): (path: string) => TwilioSignatureCheck {
  const warn = throttledWarning(
    () => host.logger,
    'Twilio webhook signature rejected (is PUBLIC_URL exactly the host of the URL set in the Twilio console?)',
    now ? { now } : {},
  );
  return (path) => {
    const expectedBase = `${host.config.publicUrl}${path}`;
    return (c, raw) => {
      const signature = c.req.header('x-twilio-signature');
      const signedUrl = `${expectedBase}${new URL(c.req.url).search}`;
      if (verifyTwilioSignature(authToken, signedUrl, parseForm(raw), signature)) return;
      warn({ path, hasSignature: Boolean(signature), expectedBase });
      throw new AuthError(
        signature ? 'X-Twilio-Signature does not match the URL and parameters' : 'X-Twilio-Signature is missing',
      );
    };
  };
}
