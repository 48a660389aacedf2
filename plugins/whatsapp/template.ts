import { truncate } from '../../core/delivery/split-text.ts';
import { splitConversationId } from '../../core/types.ts';
import type { TemplateParams } from '../../lib/reply.ts';
import { LIMITS, type WaTemplatePayload, type WhatsAppSettings } from './types.ts';

/** Said for a parameter that came empty (Meta refuses an empty one). */
const EMPTY_PARAMETER = '—';

/**
 * One body parameter as Meta takes it: no newlines, tabs or runs of spaces (refused in parameters),
 * never empty, cut to `LIMITS.templateParameter`.
 */
export function templateParameter(value: string): string {
  const flat = value.replace(/\s+/g, ' ').trim();
  return flat ? truncate(flat, LIMITS.templateParameter) : EMPTY_PARAMETER;
}

/**
 * The approved order-update template for a conversation, its body parameters in order: order
 * number, equipment, new state (`{{1}}`, `{{2}}`, `{{3}}` of the approved text).
 */
export function renderTemplate(
  conversationId: string,
  template: NonNullable<WhatsAppSettings['template']>,
  params: TemplateParams,
): WaTemplatePayload {
  const values = [params.orderNumber, params.equipment, params.state];
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: splitConversationId(conversationId).address,
    type: 'template',
    template: {
      name: template.name,
      language: { code: template.language },
      components: [
        {
          type: 'body',
          parameters: values.map((value) => ({ type: 'text', text: templateParameter(String(value ?? '')) })),
        },
      ],
    },
  };
}
