/**
 * What a reply is, for channels that show some kinds differently: `processing` (a workflow started;
 * Telegram shows typing and may replace it with the result), `result` (a workflow's outcome),
 * `notification` (an order of the user changed, sent unasked), `agent` (a person's reply in a hand-off),
 * `handoff` (the assistant hands the conversation to a person).
 */
export const REPLY_KINDS = ['processing', 'result', 'notification', 'agent', 'handoff'] as const;
export type ReplyKind = (typeof REPLY_KINDS)[number];

export const isReplyKind = (value: unknown): value is ReplyKind =>
  typeof value === 'string' && (REPLY_KINDS as readonly string[]).includes(value);

/** The body parameters of the approved WhatsApp template for a message sent unasked (order, equipment, state). */
export interface TemplateParams {
  orderNumber: string;
  equipment: string;
  state: string;
}

/** One reply of the assistant: a text and, where the channel can, buttons (ids and titles). */
export interface Reply {
  text: string;
  buttons?: { id: string; title: string }[];
  kind?: ReplyKind;
  /** Set when the reply may go as the WhatsApp template (outside the 24-hour window). */
  template?: TemplateParams;
  /** For `agent` replies: the person's label, e.g. "Ana (supervisora)". */
  agent?: string;
}
