import type { ChannelLimits } from '../../core/delivery/types.ts';

export const CHANNEL = 'whatsapp';
export const WEBHOOK_PATH = '/webhooks/whatsapp';

/** Cloud API limits (developers.facebook.com, "Messages" and "Interactive … messages"). */
export const LIMITS = {
  text: 4096,
  interactiveBody: 1024,
  replyButtons: 3,
  replyButtonTitle: 20,
  listRows: 10,
  listRowTitle: 24,
  listRowDescription: 72,
  listButtonLabel: 20,
  /** 131047: re-engagement message, the 24-hour customer-service window has closed. */
  outsideWindowError: 131047,
  /** Meta's template names: lowercase letters, digits and underscores, at most 512. */
  templateName: /^[a-z0-9_]{1,512}$/,
  /** Language codes of templates: `es`, `es_MX`, `pt_BR`, … */
  templateLanguage: /^[a-z]{2,3}(_[A-Za-z]{2,4})?$/,
  /** A template body parameter, cut to this many characters (the whole body may hold 1024). */
  templateParameter: 200,
} as const;

/**
 * The 24-hour customer-service window: free-form messages reach a user only this long after their
 * last message (Meta counts from that message's timestamp); later, only approved templates do.
 */
export const WINDOW = {
  lengthMs: 24 * 60 * 60_000,
  /** Treated as closed this much earlier, so that a send does not race the platform's own clock. */
  marginMs: 60_000,
  /** Messages held outside the window wait this long for the user to write again. */
  heldTtlMs: 7 * 24 * 60 * 60_000,
  /** At most this many messages are held per user (a new one drops the oldest), all delivered when they write again. */
  maxDelivered: 20,
  /** One delivery of a user's held messages claims them this long, renewed before each message handed on. */
  heldClaimMs: 30_000,
  /**
   * A user's message waits at most this long for another delivery of their held messages to end:
   * longer than a claim, so one left by a process that died runs out meanwhile and this one takes over.
   */
  heldClaimWaitMs: 35_000,
} as const;

/**
 * The channel's settings; each one left out is read from its variable (`WHATSAPP_VERIFY_TOKEN`,
 * `WHATSAPP_APP_SECRET`, `WHATSAPP_TOKEN`, `WHATSAPP_PHONE_NUMBER_ID`, `WHATSAPP_API_URL`,
 * `WHATSAPP_TEMPLATE_NAME`, `WHATSAPP_TEMPLATE_LANGUAGE`).
 */
export interface WhatsAppPluginOptions {
  verifyToken?: string;
  appSecret?: string;
  token?: string;
  phoneNumberId?: string;
  /** Default https://graph.facebook.com/v23.0. */
  apiUrl?: string;
  /** Timeout of one Graph API call (connect, headers and body each). Default 10 s. */
  timeoutMs?: number;
  /** Outbound pacing; default `PACING`. */
  pacing?: ChannelLimits;
  /**
   * The approved template for order updates outside the 24-hour window (body parameters: order
   * number, equipment, new state). Default none: such messages wait until the user writes again.
   */
  templateName?: string;
  /** The template's language code. Default `es`. */
  templateLanguage?: string;
}

/**
 * 80 msg/s per phone number (Cloud API throughput); per user 1 msg/s with a burst of 3, well under
 * the pair rate limit (131056) for conversational replies.
 */
export const PACING: ChannelLimits = { perChat: { burst: 3, perSecond: 1 }, global: { burst: 80, perSecond: 80 } };

export interface WhatsAppSettings {
  verifyToken: string;
  appSecret: string;
  token: string;
  phoneNumberId: string;
  apiUrl: string;
  timeoutMs: number;
  /** The approved template for order updates outside the window; none: they are held. */
  template?: { name: string; language: string };
}

/** A Graph API error (webhook payloads: see schema.ts). */
export interface WaError {
  code: number;
  title?: string;
  message?: string;
  error_data?: { details?: string };
}

// ---- Send API ----

export interface WaTextPayload {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  to: string;
  type: 'text';
  text: { body: string; preview_url: boolean };
  context?: { message_id: string };
}

export interface WaInteractivePayload {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  to: string;
  type: 'interactive';
  interactive:
    | {
        type: 'button';
        body: { text: string };
        action: { buttons: { type: 'reply'; reply: { id: string; title: string } }[] };
      }
    | {
        type: 'list';
        body: { text: string };
        action: {
          button: string;
          sections: { title: string; rows: { id: string; title: string; description?: string }[] }[];
        };
      };
  context?: { message_id: string };
}

/** An approved template, its body's `{{1}}`, `{{2}}`, … filled in order. */
export interface WaTemplatePayload {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  to: string;
  type: 'template';
  template: {
    name: string;
    language: { code: string };
    components: { type: 'body'; parameters: { type: 'text'; text: string }[] }[];
  };
}

/** What a message renders to inside the window. */
export type WaFreeFormPayload = WaTextPayload | WaInteractivePayload;

export type WaSendPayload = WaFreeFormPayload | WaTemplatePayload;

/** Marks a user's message read and shows "typing…" until the reply (or 25 s). */
export interface WaReadPayload {
  messaging_product: 'whatsapp';
  status: 'read';
  message_id: string;
  typing_indicator: { type: 'text' };
}
