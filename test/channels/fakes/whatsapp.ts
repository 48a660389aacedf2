import type { PlatformFake } from '../../support/platform-server.ts';

// biome-ignore lint/suspicious/noExplicitAny: recorded payloads are free-form JSON read by tests
type Loose = any;

const MESSAGES_PATH = /^\/v[\d.]+\/([^/]+)\/messages$/;

export interface WhatsAppFakeOptions {
  /** When set, requests must carry `Authorization: Bearer <token>` (else 401, code 190). */
  token?: string;
  /** When set, only this sender number is served (else 400, code 100). */
  phoneNumberId?: string;
}

/**
 * The WhatsApp Cloud API's send endpoint (`POST /v23.0/{phone-number-id}/messages`) for
 * `startPlatformServer`: answers `messages[0].id` (a wamid), 401/400 on wrong credentials, 429 with
 * code 130429 and `Retry-After` when rate limited. Other Graph errors (131047 outside the 24-hour
 * window, …) are scripted by the test with `platform.script('whatsapp', …)`.
 */
export function whatsappFake(options: WhatsAppFakeOptions = {}): PlatformFake {
  return {
    name: 'whatsapp',
    sendOperation: 'messages',
    apiUrl: (root) => `${root}/v23.0`,
    route({ path, headers }) {
      const match = MESSAGES_PATH.exec(path);
      if (!match) return null;
      if (options.token && headers.authorization !== `Bearer ${options.token}`) {
        return {
          operation: 'messages',
          refused: { status: 401, body: { error: { code: 190, message: 'Invalid OAuth access token' } } },
        };
      }
      if (options.phoneNumberId && match[1] !== options.phoneNumberId) {
        return {
          operation: 'messages',
          refused: { status: 400, body: { error: { code: 100, message: 'Unsupported post request' } } },
        };
      }
      return { operation: 'messages' };
    },
    success: (_operation, { body }, nextId) => ({
      status: 200,
      body: {
        messaging_product: 'whatsapp',
        contacts: [{ input: body['to'], wa_id: body['to'] }],
        messages: [{ id: `wamid.fake${String(nextId()).padStart(8, '0')}` }],
      },
    }),
    rateLimited: (retryAfterSeconds) => ({
      status: 429,
      headers: { 'retry-after': String(retryAfterSeconds) },
      body: { error: { code: 130429, message: 'Rate limit hit', type: 'OAuthException' } },
    }),
    failure: (status) => ({
      status,
      body: { error: { code: 1, message: 'An unknown error occurred', type: 'OAuthException' } },
    }),
    seen(request) {
      const body = request.body as Loose;
      const address = String(body.to);
      if (body.type === 'text') return { address, text: body.text?.body ?? '', buttons: [], form: 'text' };
      if (body.type === 'interactive' && body.interactive?.type === 'button') {
        const buttons = (body.interactive.action?.buttons ?? []).map((b: Loose) => ({
          id: b.reply.id,
          title: b.reply.title,
        }));
        return { address, text: body.interactive.body?.text ?? '', buttons, form: 'button' };
      }
      if (body.type === 'interactive' && body.interactive?.type === 'list') {
        const rows = (body.interactive.action?.sections ?? []).flatMap((s: Loose) => s.rows ?? []);
        const buttons = rows.map((r: Loose) => ({ id: r.id, title: r.title }));
        return { address, text: body.interactive.body?.text ?? '', buttons, form: 'list' };
      }
      return null;
    },
  };
}
