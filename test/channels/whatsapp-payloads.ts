import { signWhatsAppBody } from '../../plugins/whatsapp/verify.ts';

/** The business number of every WhatsApp test (the fakes' and the gateway's phone number id). */
export const WHATSAPP_PHONE_NUMBER_ID = '106540352242922';

export interface WhatsAppSender {
  waId: string;
  /** The profile name WhatsApp sends along. */
  name: string;
}

/**
 * The webhook body WhatsApp posts when `from` writes one message: `message` holds its wamid (`id`),
 * its `type` and that type's field. Written at `writtenAt` (ms, now by default): the platform's
 * timestamp, which opens the 24-hour window.
 */
export function whatsappDeliveryBody(
  from: WhatsAppSender,
  message: { id: string } & Record<string, unknown>,
  writtenAt = Date.now(),
): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: WHATSAPP_PHONE_NUMBER_ID },
              contacts: [{ profile: { name: from.name }, wa_id: from.waId }],
              messages: [{ from: from.waId, timestamp: String(Math.floor(writtenAt / 1000)), ...message }],
            },
          },
        ],
      },
    ],
  });
}

/** The headers WhatsApp posts `body` with, signed with the app secret. */
export function whatsappWebhookHeaders(appSecret: string, body: string): Record<string, string> {
  return { 'content-type': 'application/json', 'x-hub-signature-256': signWhatsAppBody(appSecret, body) };
}
