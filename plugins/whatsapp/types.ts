import type { Config } from '../../core/config.ts';
import type { Logger } from '../../core/log.ts';
import type { OutboundMessage } from '../../core/types.ts';

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

export interface WhatsAppPluginOptions extends Partial<Config['whatsapp']> {
  logger?: Logger;
  /** Timeout of one Graph API call (connect, headers and body each). Default 10 s. */
  timeoutMs?: number;
  /**
   * How the plugin's own notices (unsupported message types) are delivered; the gateway passes the
   * outbound dispatcher. Default: the plugin's `send`, failures logged.
   */
  deliver?: (message: OutboundMessage) => Promise<void>;
}

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
