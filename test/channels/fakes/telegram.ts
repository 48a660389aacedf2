import type { FakeRequest, PlatformFake, ScriptedResponse } from '../../support/platform-server.ts';

// biome-ignore lint/suspicious/noExplicitAny: recorded payloads are free-form JSON read by tests
type Loose = any;

const METHOD_PATH = /^\/bot([^/]+)\/([A-Za-z]+)$/;

/** `sendChatAction`'s documented actions. */
const CHAT_ACTIONS = new Set([
  'typing',
  'upload_photo',
  'record_video',
  'upload_video',
  'record_voice',
  'upload_voice',
  'upload_document',
  'choose_sticker',
  'find_location',
  'record_video_note',
  'upload_video_note',
]);

export interface TelegramFakeOptions {
  /** When set, only this bot token is served (else 401 Unauthorized). */
  token?: string;
}

/** A message the fake accepted, as the chat shows it now (edits included). */
interface Shown {
  chatId: string;
  text: string;
  markup: string;
}

const badRequest = (description: string): ScriptedResponse => ({
  status: 400,
  body: { ok: false, error_code: 400, description: `Bad Request: ${description}` },
});

/**
 * The Telegram Bot API (`POST /bot{token}/{method}`) for `startPlatformServer`, each method its own
 * operation: `sendMessage` answers the sent Message; `editMessageText` the edited Message, or 400 for
 * a message it never sent to that chat ("message to edit not found") or an edit that changes nothing
 * ("message is not modified"); `sendChatAction` `result: true` (400 for an unknown action); any other
 * method `result: true`. 401 on a wrong token, 429 with `parameters.retry_after` when rate limited.
 * Edits count as what the user sees (`seen`), at the edit's place in the requests.
 */
export function telegramFake(options: TelegramFakeOptions = {}): PlatformFake {
  const shown = new Map<number, Shown>();
  const messageOf = (id: number, chatId: string, body: Loose, edited?: boolean) => ({
    message_id: id,
    from: { id: 7012345678, is_bot: true, first_name: 'Somacor', username: 'somacor_mant_bot' },
    chat: { id: Number(chatId), type: Number(chatId) < 0 ? 'supergroup' : 'private' },
    date: Math.floor(Date.now() / 1000),
    ...(edited ? { edit_date: Math.floor(Date.now() / 1000) } : {}),
    text: body.text,
    ...(body.reply_markup ? { reply_markup: body.reply_markup } : {}),
  });
  const ok = (result: unknown): ScriptedResponse => ({ status: 200, body: { ok: true, result } });

  function edit({ body }: FakeRequest): ScriptedResponse {
    const chatId = String(body['chat_id']);
    const id = Number(body['message_id']);
    const message = shown.get(id);
    if (!message || message.chatId !== chatId) return badRequest('message to edit not found');
    const next: Shown = {
      chatId,
      text: String(body['text'] ?? ''),
      markup: JSON.stringify(body['reply_markup'] ?? null),
    };
    if (next.text === message.text && next.markup === message.markup) {
      return badRequest(
        'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      );
    }
    shown.set(id, next);
    return ok(messageOf(id, chatId, body, true));
  }

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
    success(operation, request, nextId) {
      const { body } = request;
      switch (operation) {
        case 'sendMessage': {
          const id = nextId();
          const chatId = String(body['chat_id']);
          shown.set(id, {
            chatId,
            text: String(body['text'] ?? ''),
            markup: JSON.stringify(body['reply_markup'] ?? null),
          });
          return ok(messageOf(id, chatId, body));
        }
        case 'editMessageText':
          return edit(request);
        case 'sendChatAction':
          return CHAT_ACTIONS.has(String(body['action'])) ? ok(true) : badRequest('wrong parameter action in request');
        default:
          return ok(true);
      }
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
      if (request.operation !== 'sendMessage' && request.operation !== 'editMessageText') return null;
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
