import type { PlatformServer, SentMessage } from '../support/platform-server.ts';
import { whatsappDeliveryBody, whatsappWebhookHeaders } from './whatsapp-payloads.ts';

/** A user on a channel, as the platform would relay them to the gateway. */
export interface ChatUser {
  address: string;
  say(text: string): Promise<void>;
  /** Presses a button of a message the platform delivered to this user. */
  press(message: SentMessage, buttonId: string): Promise<void>;
  /** The next delivered message that matches, after the ones already looked at. */
  next(match: RegExp, timeoutMs?: number): Promise<SentMessage>;
}

export interface DriverOptions {
  gatewayUrl: string;
  platform: PlatformServer;
}

let sequence = 0;

async function postOk(url: string, body: string, headers: Record<string, string>): Promise<Response> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
  return res;
}

function reader(platform: PlatformServer, channel: 'telegram' | 'whatsapp', address: string) {
  let seen = 0;
  return async (match: RegExp, timeoutMs?: number) => {
    const message = await platform.waitFor(
      () => {
        const list = platform.sent(channel, address);
        const at = list.findIndex((m, i) => i >= seen && match.test(m.text));
        return at >= 0 ? { message: list[at]!, at } : undefined;
      },
      timeoutMs,
      `${channel}:${address} message matching ${match}`,
    );
    seen = message.at + 1;
    return message.message;
  };
}

function buttonOf(message: SentMessage, buttonId: string) {
  const button = message.buttons.find((b) => b.id === buttonId);
  if (!button) throw new Error(`no button ${buttonId} in ${JSON.stringify(message.buttons)}`);
  return button;
}

export function telegramUser(opts: DriverOptions & { secret: string; chatId: number; name: string }): ChatUser {
  const from = { id: opts.chatId, is_bot: false, first_name: opts.name, language_code: 'es' };
  const chat = { id: opts.chatId, first_name: opts.name, type: 'private' };
  const post = (update: Record<string, unknown>) =>
    postOk(`${opts.gatewayUrl}/webhooks/telegram`, JSON.stringify({ update_id: 800_000 + ++sequence, ...update }), {
      'x-telegram-bot-api-secret-token': opts.secret,
    });
  return {
    address: String(opts.chatId),
    async say(text) {
      await post({ message: { message_id: ++sequence, from, chat, date: Math.floor(Date.now() / 1000), text } });
    },
    async press(message, buttonId) {
      buttonOf(message, buttonId);
      await post({
        callback_query: {
          id: `${opts.chatId}${++sequence}`,
          from,
          message: {
            message_id: ++sequence,
            chat,
            date: Math.floor(Date.now() / 1000),
            text: message.text,
            reply_markup: message.request.body['reply_markup'],
          },
          chat_instance: '-3312094871623421785',
          data: buttonId,
        },
      });
    },
    next: reader(opts.platform, 'telegram', String(opts.chatId)),
  };
}

export function whatsappUser(opts: DriverOptions & { appSecret: string; waId: string; name: string }): ChatUser {
  const post = (message: Record<string, unknown>) => {
    const id = `wamid.e2e${String(++sequence).padStart(6, '0')}`;
    const body = whatsappDeliveryBody(opts, { id, ...message });
    return postOk(`${opts.gatewayUrl}/webhooks/whatsapp`, body, whatsappWebhookHeaders(opts.appSecret, body));
  };
  return {
    address: opts.waId,
    async say(text) {
      await post({ type: 'text', text: { body: text } });
    },
    async press(message, buttonId) {
      const { title } = buttonOf(message, buttonId);
      const reply = { id: buttonId, title };
      const context = { from: '15550783881', id: 'wamid.fakecontext' };
      await post(
        message.form === 'list'
          ? { type: 'interactive', context, interactive: { type: 'list_reply', list_reply: reply } }
          : { type: 'interactive', context, interactive: { type: 'button_reply', button_reply: reply } },
      );
    },
    next: reader(opts.platform, 'whatsapp', opts.waId),
  };
}
