/**
 * `npm run telegram:set-webhook`: points the bot's webhook at `{PUBLIC_URL}/webhooks/telegram` with
 * the secret token Telegram echoes in `X-Telegram-Bot-Api-Secret-Token`.
 * Env: TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET, PUBLIC_URL (https), TELEGRAM_API_URL (optional).
 * Flag: --drop-pending-updates.
 */
import { pathToFileURL } from 'node:url';
import { request } from 'undici';
import { loadConfig } from '../core/config.ts';
import { ConfigError } from '../core/errors.ts';
import { telegramSettings } from '../plugins/telegram/index.ts';
import { ALLOWED_UPDATES } from '../plugins/telegram/types.ts';

export interface SetWebhookResult {
  url: string;
  description: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Telegram delivers webhooks over HTTPS only; plain http is accepted for a loopback test server. */
function parsePublicUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`PUBLIC_URL is not a URL: ${JSON.stringify(value)}`);
  }
  const loopbackHttp = url.protocol === 'http:' && LOOPBACK.has(url.hostname);
  if (url.protocol !== 'https:' && !loopbackHttp) {
    throw new ConfigError(
      `PUBLIC_URL must be an https:// URL (Telegram only calls HTTPS webhooks); got ${url.protocol}//${url.host}`,
    );
  }
  return value.replace(/\/+$/, '');
}

export async function setTelegramWebhook(
  env: Record<string, string | undefined>,
  opts: { dropPendingUpdates?: boolean } = {},
): Promise<SetWebhookResult> {
  const config = loadConfig(env);
  // The channel's own rules (required variables, secret format), PUBLIC_URL named with them.
  const { token, webhookSecret, apiUrl } = telegramSettings(env, {}, { PUBLIC_URL: env.PUBLIC_URL?.trim() });
  const publicUrl = parsePublicUrl(config.publicUrl);
  const url = `${publicUrl}/webhooks/telegram`;
  const response = await request(`${apiUrl}/bot${token}/setWebhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      url,
      secret_token: webhookSecret,
      allowed_updates: ALLOWED_UPDATES,
      ...(opts.dropPendingUpdates ? { drop_pending_updates: true } : {}),
    }),
    headersTimeout: 15_000,
    bodyTimeout: 15_000,
  });
  const answer = (await response.body.json().catch(() => ({}))) as { ok?: boolean; description?: string };
  if (response.statusCode !== 200 || !answer.ok) {
    // The token is in the request URL: never echo it.
    throw new Error(`setWebhook failed (HTTP ${response.statusCode}): ${answer.description ?? 'no description'}`);
  }
  return { url, description: answer.description ?? 'Webhook was set' };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  setTelegramWebhook(process.env, { dropPendingUpdates: process.argv.includes('--drop-pending-updates') }).then(
    (result) => console.log(`Telegram webhook set to ${result.url}: ${result.description}`),
    (error: Error) => {
      console.error(`telegram:set-webhook: ${error.message}`);
      process.exitCode = 1;
    },
  );
}
