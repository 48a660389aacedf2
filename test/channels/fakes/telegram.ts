import type { PlatformFake } from '../../support/platform-server.ts';

// biome-ignore lint/suspicious/noExplicitAny: recorded payloads are free-form JSON read by tests
type Loose = any;

const METHOD_PATH = /^\/bot([^/]+)\/([A-Za-z]+)$/;

export interface TelegramFakeOptions {
  /** When set, only this bot token is served (else 401 Unauthorized). */
  token?: string;
}

/**
 * The Telegram Bot API (`POST /bot{token}/{method}`) for `startPlatformServer`: `sendMessage` answers
 * the sent Message, any other method `result: true`; 401 on a wrong token, 429 with
 * `parameters.retry_after` when rate limited. Each method is its own operation.
 */
export function telegramFake(options: TelegramFakeOptions = {}): PlatformFake {
  return {
    name: 'telegram',
    sendOperation: 'sendMessage',
    apiUrl: (root) => root,
    route({ path }) {
      const match = METHOD_PATH.exec(path);
      if (!match) return null;
      const [, token, operation] = match as unknown as [string, string, string];
      if (options.token && token !== options.token) {
        return {
          operation,
          refused: { status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } },
        };
      }
      return { operation };
    },
    success(operation, { body }, nextId) {
      if (operation !== 'sendMessage') return { status: 200, body: { ok: true, result: true } };
      return {
        status: 200,
        body: {
          ok: true,
          result: {
            message_id: nextId(),
            from: { id: 7012345678, is_bot: true, first_name: 'Somacor', username: 'somacor_mant_bot' },
            chat: { id: Number(body['chat_id']), type: 'private' },
            date: Math.floor(Date.now() / 1000),
            text: body['text'],
            ...(body['reply_markup'] ? { reply_markup: body['reply_markup'] } : {}),
          },
        },
      };
    },
    rateLimited: (retryAfterSeconds) => ({
      status: 429,
      body: {
        ok: false,
        error_code: 429,
        description: `Too Many Requests: retry after ${retryAfterSeconds}`,
        parameters: { retry_after: retryAfterSeconds },
      },
    }),
    failure: (status) => ({
      status,
      body: { ok: false, error_code: status, description: `Internal Server Error (${status})` },
    }),
    seen(request) {
      if (request.operation !== 'sendMessage') return null;
      const body = request.body as Loose;
      const keys = (body.reply_markup?.inline_keyboard ?? []).flat();
      const buttons = keys.map((k: Loose) => ({ id: k.callback_data, title: k.text }));
      return {
        address: String(body.chat_id),
        text: String(body.text ?? ''),
        buttons,
        form: buttons.length > 0 ? 'keyboard' : 'text',
      };
    },
  };
}
