import type { ConversationEvent, MessageSlots, UserMessageEvent } from '../../core/runtime/model.ts';
import { detectIntent, type Intent, type IntentMatch, normalize } from '../intents.ts';
import { notificationCommand } from '../notification-commands.ts';
import { PERSONAL_ACTIONS } from '../roles.ts';
import { understandText } from '../understanding.ts';

/** What the conversation reads from a user message: its intent, the values it gave and its text. */

/**
 * A message as read: its intent (with the order number and technician guards read), its slots, and
 * `sure` unless the trained classifier alone read the intent (the keyword rules read another).
 */
export type MessageReading = IntentMatch & { slots: MessageSlots; sure: boolean };

const readings = new WeakMap<ConversationEvent, MessageReading>();
const NOTHING: MessageReading = { intent: 'unknown', slots: {}, sure: true };

/**
 * The intent of a user message (once per event): a pressed `intent:<name>` button; another button by
 * the keyword rules on its id (never the classifier: "confirm:no" is no cancel); typed text as the
 * runtime understood it (`understood`, read with the CMMS's catalog), else as read here without one.
 */
export function intentOf(event: ConversationEvent): MessageReading {
  if (event.type !== 'user.message') return NOTHING;
  let reading = readings.get(event);
  if (!reading) {
    reading = read(event);
    readings.set(event, reading);
  }
  return reading;
}

/** The slots of a user message (none for a button or another event). */
export const slotsOf = (event: ConversationEvent): MessageSlots => intentOf(event).slots;

function read(event: UserMessageEvent): MessageReading {
  if (event.action?.startsWith('intent:')) {
    return { intent: event.action.slice('intent:'.length) as Intent, slots: {}, sure: true };
  }
  if (event.action) return { ...detectIntent(event.action), slots: {}, sure: true };
  const text = event.text ?? '';
  const understood = event.understood ?? understandText(text);
  const { slots } = understood;
  const intent = understood.intent as Intent;
  const switchFor = intent.startsWith('notifications_') ? notificationCommand(normalize(text)) : undefined;
  return {
    intent,
    ...(slots.workOrder ? { workOrder: slots.workOrder } : {}),
    ...(slots.technician ? { technician: slots.technician } : {}),
    ...(switchFor?.oneOrder ? { oneOrder: true as const } : {}),
    slots,
    sure: understood.by !== 'classifier' || detectIntent(text).intent === intent,
  };
}

/**
 * The intent is read surely enough to leave what the user is doing (a question, a hand-off, a wait):
 * the classifier guesses as if nothing were asked, so its reading alone ("no sé" as a report, "la
 * excavadora sigue detenida" as a cancel) leaves the message an answer.
 */
export const surely = (event: ConversationEvent, intent: Intent) => {
  const reading = intentOf(event);
  return reading.intent === intent && reading.sure;
};

/** What the user wrote or pressed ('' for any other event). */
export const userText = (event: ConversationEvent) =>
  event.type === 'user.message' ? (event.action ?? event.text ?? '') : '';

/** What the user typed: '' for a pressed button or any other event. */
export const typedText = (event: ConversationEvent) =>
  event.type === 'user.message' && !event.action ? (event.text ?? '') : '';

/** The user's message as if they had typed `text` (same time, channel and identity; no button, read anew). */
export function typedAs(event: ConversationEvent, text: string): UserMessageEvent {
  const { action: _pressed, understood: _read, ...message } = event as UserMessageEvent;
  return { ...message, type: 'user.message', text };
}

/** Intents that leave an unfinished question for another topic. */
export const TOPIC_CHANGES: Intent[] = [
  'greeting',
  'help',
  'report_failure',
  'list_equipment',
  'pending_work_orders',
  'handoff',
  'link',
  'unlink',
  ...PERSONAL_ACTIONS,
  'erase_data',
];

/** Topics that only ask for information: while a link is awaited they are answered and the request kept. */
export const INFO_TOPICS: Intent[] = ['greeting', 'help', 'thanks', 'list_equipment', 'pending_work_orders'];
