import { createHash } from 'node:crypto';
import { splitText, truncate } from '../../core/delivery/split-text.ts';
import { type Button, type OutboundMessage, splitConversationId } from '../../core/types.ts';
import { LIMITS, type TgSendMessage } from './types.ts';

const HASHED = '#';
const REMEMBERED = 5_000;

/**
 * `callback_data` is 1–64 bytes. Longer button ids travel as `#<hash>` and are mapped back when the
 * button is pressed (kept in this process, the most recent 5,000).
 */
export class CallbackData {
  readonly #long = new Map<string, string>();

  encode(id: string): string {
    if (id.length > 0 && Buffer.byteLength(id) <= LIMITS.callbackDataBytes && !id.startsWith(HASHED)) return id;
    const data = HASHED + createHash('sha256').update(id).digest('base64url').slice(0, 32);
    this.#long.delete(data);
    this.#long.set(data, id);
    if (this.#long.size > REMEMBERED) this.#long.delete(this.#long.keys().next().value!);
    return data;
  }

  /** The button id behind `data`; undefined for a hashed id this process no longer knows. */
  decode(data: string): string | undefined {
    return data.startsWith(HASHED) ? this.#long.get(data) : data;
  }
}

function keyboard(buttons: Button[], data: CallbackData): TgSendMessage['reply_markup'] {
  const keys = buttons.map((b) => ({ text: truncate(b.title, LIMITS.buttonTitle), callback_data: data.encode(b.id) }));
  // Up to 3 short choices side by side; more (or long ones) two per row.
  const perRow = keys.length <= 3 && keys.every((k) => k.text.length <= 12) ? keys.length : LIMITS.buttonsPerRow;
  const rows: TgSendMessage['reply_markup'] = { inline_keyboard: [] };
  for (let i = 0; i < keys.length; i += perRow) rows.inline_keyboard.push(keys.slice(i, i + perRow));
  return rows;
}

/**
 * The sendMessage calls for one outbound message: plain text (no parse_mode, so nothing needs
 * escaping), split at 4096; the inline keyboard goes with the last part.
 */
export function renderTelegram(message: OutboundMessage, data: CallbackData): TgSendMessage[] {
  // A group member's conversation is `<chat>:<user>` (see parse.ts): the reply goes to the group.
  const chatId = splitConversationId(message.conversationId).address.split(':')[0]!;
  const parts = splitText(message.text, LIMITS.text).map<TgSendMessage>((text) => ({
    chat_id: chatId,
    text,
    link_preview_options: { is_disabled: true },
  }));
  const last = parts[parts.length - 1]!;
  if (message.buttons && message.buttons.length > 0) last.reply_markup = keyboard(message.buttons, data);
  // `replyTo` is an inbound id `<chat>:<message_id>` (see parse.ts).
  const replied = /^-?\d+:(\d+)$/.exec(message.replyTo ?? '');
  if (replied) parts[0]!.reply_parameters = { message_id: Number(replied[1]), allow_sending_without_reply: true };
  return parts;
}
