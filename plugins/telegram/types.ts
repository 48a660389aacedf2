import type { Config } from '../../core/config.ts';
import type { Logger } from '../../core/log.ts';
import type { OutboundMessage } from '../../core/types.ts';

export const CHANNEL = 'telegram';
export const WEBHOOK_PATH = '/webhooks/telegram';
export const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query'] as const;

/** Bot API limits (core.telegram.org/bots/api: sendMessage, InlineKeyboardButton). */
export const LIMITS = {
  text: 4096,
  callbackDataBytes: 64,
  /** Not a platform limit: long labels are cut so keyboards stay readable. */
  buttonTitle: 64,
  buttonsPerRow: 2,
} as const;

export interface TelegramPluginOptions extends Partial<Config['telegram']> {
  logger?: Logger;
  /** Timeout of one Bot API call (connect, headers and body each). Default 10 s. */
  timeoutMs?: number;
  /** How the plugin's own notices (edits, unreadable messages) are delivered; default: `send`. */
  deliver?: (message: OutboundMessage) => Promise<void>;
}

export interface TelegramSettings {
  token: string;
  webhookSecret: string;
  apiUrl: string;
  timeoutMs: number;
}

// ---- Bot API requests ----

export interface TgSendMessage {
  chat_id: string;
  text: string;
  link_preview_options: { is_disabled: boolean };
  reply_markup?: { inline_keyboard: { text: string; callback_data: string }[][] };
  reply_parameters?: { message_id: number; allow_sending_without_reply: boolean };
}

export interface TgResponse<T = unknown> {
  ok: boolean;
  result?: T;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}
