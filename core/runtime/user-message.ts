import type { InboundMessage } from '../types.ts';
import type { ConversationEvent } from './model.ts';
import type { Participant } from './turn-request.ts';
import type { TranscriptEntry } from './types.ts';

/** A user's message as the transcript keeps it. */
export function inboundEntry(message: InboundMessage): TranscriptEntry {
  return {
    conversationId: message.conversationId,
    direction: 'in',
    text: message.text ?? '',
    ...(message.action ? { action: message.action } : {}),
    messageId: message.id,
    at: message.receivedAt,
  };
}

export function participantOf(message: InboundMessage): Participant {
  return {
    channel: message.channel,
    userId: message.user.id,
    ...(message.user.name ? { userName: message.user.name } : {}),
  };
}

/** A user's message as the machine's event (`at`: when its turn is taken). */
export function userMessageEvent(message: InboundMessage, at: number): ConversationEvent {
  return {
    type: 'user.message',
    ...(message.text !== undefined ? { text: message.text } : {}),
    ...(message.action ? { action: message.action } : {}),
    at,
    channel: message.channel,
    ...(message.attachments?.length || message.location ? { hasAttachments: true } : {}),
  };
}
