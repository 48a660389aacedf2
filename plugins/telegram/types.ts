import type { ChannelLimits } from '../../core/delivery/types.ts';

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

/**
 * The channel's settings; each one left out is read from its variable (`TELEGRAM_BOT_TOKEN`,
 * `TELEGRAM_WEBHOOK_SECRET`, `TELEGRAM_API_URL`).
 */
export interface TelegramPluginOptions {
  token?: string;
  webhookSecret?: string;
  /** Default https://api.telegram.org. */
  apiUrl?: string;
  /** Timeout of one Bot API call (connect, headers and body each). Default 10 s. */
  timeoutMs?: number;
  /** Outbound pacing; default `PACING`. */
  pacing?: ChannelLimits;
  /** Between typing actions while a workflow runs; default `TYPING.intervalMs` (4 s). */
  typingIntervalMs?: number;
  /** The longest a chat is shown typing for one workflow; default `TYPING.limitMs` (10 min). */
  typingLimitMs?: number;
}

/** A typing action shows for at most 5 s: renewed every 4 s while a workflow runs, for 10 minutes at most. */
export const TYPING = { intervalMs: 4_000, limitMs: 10 * 60_000 } as const;

/**
 * The Bot API's documented budget: about 1 msg/s per chat and 30 msg/s per bot; a turn's 2–3 replies
 * go out at once (burst 3). Groups (negative chat ids) allow about 20 msg/min: burst 3, then one every 3 s.
 */
export const PACING: ChannelLimits = {
  perChat: { burst: 3, perSecond: 1 },
  perGroup: { burst: 3, perSecond: 20 / 60 },
  global: { burst: 30, perSecond: 30 },
};

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
