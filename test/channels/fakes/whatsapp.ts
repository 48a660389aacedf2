import type { PlatformFake, PlatformServer, RecordedRequest } from '../../support/platform-server.ts';

// biome-ignore lint/suspicious/noExplicitAny: recorded payloads are free-form JSON read by tests
type Loose = any;

const MESSAGES_PATH = /^\/v[\d.]+\/([^/]+)\/messages$/;

export interface WhatsAppFakeOptions {
  /** When set, requests must carry `Authorization: Bearer <token>` (else 401, code 190). */
  token?: string;
  /** When set, only this sender number is served (else 400, code 100). */
  phoneNumberId?: string;
}

/** The fake's controls besides the platform-server ones. */
export interface WhatsAppFake extends PlatformFake {
  /**
   * The user's 24-hour window is closed: free-form messages to `address` are refused (HTTP 400,
   * error 131047, as the Cloud API answers), templates pass. Until `openWindow`.
   */
  closeWindow(address: string): void;
  openWindow(address: string): void;
}

/** The Cloud API's synchronous answer to a free-form message outside the window. */
export const OUTSIDE_WINDOW_ERROR = {
  error: {
    message: '(#131047) Re-engagement message',
    type: 'OAuthException',
    code: 131047,
    error_data: {
      messaging_product: 'whatsapp',
      details:
        'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
    },
    fbtrace_id: 'AbCdEfGhIjKlMnOpQrStUvW',
  },
};

/** The operation of a read receipt + typing indicator call (not a message: scripted send failures skip it). */
export const READ_OPERATION = 'read';

/**
 * The WhatsApp Cloud API's send endpoint (`POST /v23.0/{phone-number-id}/messages`) for
 * `startPlatformServer`: answers `messages[0].id` (a wamid), 401/400 on wrong credentials, 429 with
 * code 130429 and `Retry-After` when rate limited, 131047 for free-form messages to a user whose
 * window the test closed (`closeWindow`). Read receipts (`status: "read"`, with the typing
 * indicator) are the `read` operation and answer `{success: true}`; they are not messages (`sent()`
 * leaves them out). Templates are messages of form `template`, their text the body parameters.
 */
export function whatsappFake(options: WhatsAppFakeOptions = {}): WhatsAppFake {
  const closed = new Set<string>();
  return {
    name: 'whatsapp',
    sendOperation: 'messages',
    apiUrl: (root) => `${root}/v23.0`,
    closeWindow: (address) => void closed.add(address),
    openWindow: (address) => void closed.delete(address),
    route({ path, headers, body }) {
      const match = MESSAGES_PATH.exec(path);
      if (!match) return null;
      const operation = body['status'] === 'read' ? READ_OPERATION : 'messages';
      if (options.token && headers.authorization !== `Bearer ${options.token}`) {
        return {
          operation,
          refused: { status: 401, body: { error: { code: 190, message: 'Invalid OAuth access token' } } },
        };
      }
      if (options.phoneNumberId && match[1] !== options.phoneNumberId) {
        return {
          operation,
          refused: { status: 400, body: { error: { code: 100, message: 'Unsupported post request' } } },
        };
      }
      if (operation === 'messages' && body['type'] !== 'template' && closed.has(String(body['to']))) {
        return { operation, refused: { status: 400, body: OUTSIDE_WINDOW_ERROR } };
      }
      return { operation };
    },
    success: (operation, { body }, nextId) =>
      operation === READ_OPERATION
        ? { status: 200, body: { success: true } }
        : {
            status: 200,
            body: {
              messaging_product: 'whatsapp',
              contacts: [{ input: body['to'], wa_id: body['to'] }],
              messages: [{ id: `wamid.fake${String(nextId()).padStart(8, '0')}` }],
            },
          },
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
      if (request.operation !== 'messages') return null;
      const body = request.body as Loose;
      const address = String(body.to);
      if (body.type === 'text') return { address, text: body.text?.body ?? '', buttons: [], form: 'text' };
      if (body.type === 'template')
        return { address, text: templateParameters(request).join(' | '), buttons: [], form: 'template' };
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

/** The body parameters of a template request, in order. */
export function templateParameters(request: RecordedRequest): string[] {
  const body = request.body as Loose;
  const components: Loose[] = body.template?.components ?? [];
  return components
    .filter((c) => c.type === 'body')
    .flatMap((c) => (c.parameters ?? []).map((p: Loose) => String(p.text)));
}

/** Template messages the platform accepted (optionally to one user), oldest first. */
export const templatesSent = (platform: PlatformServer, address?: string): RecordedRequest[] =>
  platform.requests.filter(
    (r) =>
      r.platform === 'whatsapp' &&
      r.operation === 'messages' &&
      r.status === 200 &&
      r.body['type'] === 'template' &&
      (address === undefined || r.body['to'] === address),
  );

/** Read receipt + typing indicator calls, oldest first. */
export const readCalls = (platform: PlatformServer): RecordedRequest[] =>
  platform.requests.filter((r) => r.platform === 'whatsapp' && r.operation === READ_OPERATION);

/** Free-form messages refused with 131047 (to one user), oldest first. */
export const refusedOutsideWindow = (platform: PlatformServer, address?: string): RecordedRequest[] =>
  platform.requests.filter(
    (r) =>
      r.platform === 'whatsapp' &&
      r.status === 400 &&
      (r.response as Loose)?.error?.code === 131047 &&
      (address === undefined || r.body['to'] === address),
  );
