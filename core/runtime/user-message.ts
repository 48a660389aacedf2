import type { IdentityPolicy, LinkedIdentity } from '../identity/types.ts';
import type { InboundMessage } from '../types.ts';
import { publicIdentity } from './identity.ts';
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

/** Who sent a message, as the runtime read it when the message's turn was taken. */
export interface Sender {
  identity: LinkedIdentity | null;
  policy: IdentityPolicy;
}

/** A user's message as the machine's event (`at`: when its turn is taken), with who sent it. */
export function userMessageEvent(message: InboundMessage, at: number, sender: Sender): ConversationEvent {
  return {
    type: 'user.message',
    ...(message.text !== undefined ? { text: message.text } : {}),
    ...(message.action ? { action: message.action } : {}),
    at,
    channel: message.channel,
    ...(message.attachments?.length || message.location ? { hasAttachments: true } : {}),
    ...(message.user.name ? { userName: message.user.name } : {}),
    identity: sender.identity ? publicIdentity(sender.identity) : null,
    identityPolicy: sender.policy,
  };
}
