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
} as const;

/**
 * The channel's settings; each one left out is read from its variable (`WHATSAPP_VERIFY_TOKEN`,
 * `WHATSAPP_APP_SECRET`, `WHATSAPP_TOKEN`, `WHATSAPP_PHONE_NUMBER_ID`, `WHATSAPP_API_URL`).
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

export type WaSendPayload = WaTextPayload | WaInteractivePayload;
