import type { IdentityPolicy, LinkedIdentity } from '../identity/types.ts';
import type { Logger } from '../log.ts';
import type { InboundMessage } from '../types.ts';
import type { EquipmentSummary } from '../workflows/results.ts';
import { publicIdentity } from './identity.ts';
import type { ConversationEvent, ConversationModel, MessageUnderstanding } from './model.ts';
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

/**
 * What a typed message says, as the model reads it (its intent and values): none for a pressed button
 * or a message without text. The model's failure never fails the turn: the event goes without it
 * (logged by channel only, the text is the user's).
 */
export async function understandMessage(
  model: Pick<ConversationModel, 'understand'>,
  catalog: () => Promise<readonly EquipmentSummary[] | null>,
  message: InboundMessage,
  logger: Logger,
): Promise<MessageUnderstanding | undefined> {
  if (!model.understand || message.action || !message.text?.trim()) return undefined;
  try {
    return await model.understand(message.text, catalog);
  } catch (error) {
    logger.error(
      { channel: message.channel, err: error },
      'understanding a message failed; the turn goes on without it',
    );
    return undefined;
  }
}

/** `understandMessage` read once per text: a retried commit keeps what the first attempt understood. */
export function understandOnce(
  model: Pick<ConversationModel, 'understand'>,
  catalog: () => Promise<readonly EquipmentSummary[] | null>,
  logger: Logger,
): (message: InboundMessage) => Promise<MessageUnderstanding | undefined> {
  let last: { text: string | undefined; read: Promise<MessageUnderstanding | undefined> } | undefined;
  return (message) => {
    if (!last || last.text !== message.text) {
      last = { text: message.text, read: understandMessage(model, catalog, message, logger) };
    }
    return last.read;
  };
}

/**
 * A user's message as the machine's event (`at`: when its turn is taken), with who sent it and what
 * it says (`understood`, from `understandMessage`).
 */
export function userMessageEvent(
  message: InboundMessage,
  at: number,
  sender: Sender,
  understood?: MessageUnderstanding,
): ConversationEvent {
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
    ...(understood ? { understood } : {}),
  };
}
