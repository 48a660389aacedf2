import { splitTail, splitText, truncate } from '../../core/delivery/split-text.ts';
import { type Button, type OutboundMessage, splitConversationId } from '../../core/types.ts';
import { LIMITS, type WaFreeFormPayload, type WaInteractivePayload, type WaTextPayload } from './types.ts';

/** The list's button label and section title (Spanish, shown to the user). */
const LIST_BUTTON = 'Ver opciones';
const LIST_SECTION = 'Opciones';

const base = (to: string) => ({ messaging_product: 'whatsapp' as const, recipient_type: 'individual' as const, to });

function textPayload(to: string, body: string): WaTextPayload {
  return { ...base(to), type: 'text', text: { body, preview_url: false } };
}

/** Up to 3 buttons with titles of at most 20 characters fit reply buttons; anything else is a list. */
export function fitsReplyButtons(buttons: Button[]): boolean {
  return (
    buttons.length <= LIMITS.replyButtons && buttons.every((b) => b.title.trim().length <= LIMITS.replyButtonTitle)
  );
}

function interactivePayload(to: string, body: string, buttons: Button[]): WaInteractivePayload {
  if (fitsReplyButtons(buttons)) {
    return {
      ...base(to),
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: body },
        action: { buttons: buttons.map((b) => ({ type: 'reply', reply: { id: b.id, title: b.title.trim() } })) },
      },
    };
  }
  const rows = buttons.slice(0, LIMITS.listRows).map((b) => {
    const title = b.title.trim();
    const row: { id: string; title: string; description?: string } = {
      id: b.id,
      title: truncate(title, LIMITS.listRowTitle),
    };
    // A long title is cut in the row and shown whole (up to 72) underneath.
    if (title.length > LIMITS.listRowTitle) row.description = truncate(title, LIMITS.listRowDescription);
    return row;
  });
  return {
    ...base(to),
    type: 'interactive',
    interactive: {
      type: 'list',
      body: { text: body },
      action: { button: LIST_BUTTON, sections: [{ title: LIST_SECTION, rows }] },
    },
  };
}

/**
 * The Graph API requests for one outbound message, in order: texts split at 4096; with buttons,
 * the last part (≤1024) becomes the interactive body and any overflow goes in text messages first.
 */
export function renderWhatsApp(message: OutboundMessage): WaFreeFormPayload[] {
  const to = splitConversationId(message.conversationId).address;
  const buttons = message.buttons ?? [];
  let payloads: WaFreeFormPayload[];
  if (buttons.length === 0) {
    payloads = splitText(message.text, LIMITS.text).map((chunk) => textPayload(to, chunk));
  } else {
    const { head, tail } = splitTail(message.text, LIMITS.interactiveBody);
    const before = head ? splitText(head, LIMITS.text).map((chunk) => textPayload(to, chunk)) : [];
    // An interactive body cannot be empty.
    payloads = [...before, interactivePayload(to, tail || '…', buttons)];
  }
  const first = payloads[0];
  if (first && message.replyTo?.startsWith('wamid.')) first.context = { message_id: message.replyTo };
  return payloads;
}

/** More buttons than a list holds are dropped (logged by the plugin). */
export function droppedButtons(message: OutboundMessage): number {
  return Math.max(0, (message.buttons?.length ?? 0) - LIMITS.listRows);
}
