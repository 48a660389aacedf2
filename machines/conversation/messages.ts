import type { ConversationEvent, UserMessageEvent } from '../../core/runtime/model.ts';
import { detectIntent, type Intent, type IntentMatch } from '../intents.ts';
import { PERSONAL_ACTIONS } from '../roles.ts';

/** What the conversation reads from a user message: its intent and its text. */

const intents = new WeakMap<ConversationEvent, IntentMatch>();

/** The intent of a user message: a pressed `intent:<name>` button, or the text's keywords (once per event). */
export function intentOf(event: ConversationEvent): IntentMatch {
  if (event.type !== 'user.message') return { intent: 'unknown' };
  let match = intents.get(event);
  if (!match) {
    match = event.action?.startsWith('intent:')
      ? { intent: event.action.slice('intent:'.length) as Intent }
      : detectIntent(event.action ?? event.text ?? '');
    intents.set(event, match);
  }
  return match;
}

/** What the user wrote or pressed ('' for any other event). */
export const userText = (event: ConversationEvent) =>
  event.type === 'user.message' ? (event.action ?? event.text ?? '') : '';

/** What the user typed: '' for a pressed button or any other event. */
export const typedText = (event: ConversationEvent) =>
  event.type === 'user.message' && !event.action ? (event.text ?? '') : '';

/** The user's message as if they had typed `text` (same time, channel and identity; no button). */
export function typedAs(event: ConversationEvent, text: string): UserMessageEvent {
  const { action: _pressed, ...message } = event as UserMessageEvent;
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
