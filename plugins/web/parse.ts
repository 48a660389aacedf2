import { randomUUID } from 'node:crypto';
import { ValidationError } from '../../core/errors.ts';
import { hasControlCharacters } from '../../core/limits/message-text.ts';
import { BROWSER_ADDRESS_PREFIX, conversationIdOf, type InboundMessage } from '../../core/types.ts';

export const MAX_MESSAGE_LENGTH = 4096;
const USER_ID = /^[\p{L}\p{N}_.@+\-:]{1,128}$/u;

/**
 * The original REST API's body: `{user_id, message}`; omnibot adds optional `action` (a pressed
 * button's id), `message_id` (idempotent retries; also the `Idempotency-Key` header) and `user_name`.
 */
export function parseWebMessage(body: Record<string, unknown>, idempotencyKey?: string): InboundMessage {
  const { user_id: userId, message, action, message_id: messageId, user_name: userName } = body;
  if (typeof userId !== 'string' || !userId.trim())
    throw new ValidationError('user_id is required (a non-empty string)');
  // The regex never lets the browser prefix through; said twice so that widening it cannot.
  if (!USER_ID.test(userId) || userId.startsWith(BROWSER_ADDRESS_PREFIX)) {
    throw new ValidationError('user_id may only have letters, digits and _ . @ + - : (at most 128 characters)');
  }
  if (message !== undefined && typeof message !== 'string') throw new ValidationError('message must be a string');
  if (action !== undefined && (typeof action !== 'string' || action.length > 256)) {
    throw new ValidationError('action must be a string of at most 256 characters');
  }
  const text = typeof message === 'string' ? message.trim() : '';
  if (!text && !action) throw new ValidationError('message is required (a non-empty string) unless action is given');
  if (text.length > MAX_MESSAGE_LENGTH)
    throw new ValidationError(`message is longer than ${MAX_MESSAGE_LENGTH} characters`);
  if (hasControlCharacters(text)) throw new ValidationError('message may not contain control characters');
  const clientId = clientMessageId(messageId, idempotencyKey);
  const id = clientId ?? randomUUID();
  return {
    id,
    channel: 'web',
    conversationId: conversationIdOf('web', userId),
    user: { id: userId, ...(typeof userName === 'string' && userName ? { name: userName.slice(0, 100) } : {}) },
    ...(text ? { text } : {}),
    ...(typeof action === 'string' && action ? { action } : {}),
    receivedAt: new Date().toISOString(),
    ...(clientId ? {} : { oneShot: true }),
  };
}

const MAX_MESSAGE_ID_LENGTH = 200;

/**
 * The caller's id for idempotent retries: `message_id`, else the `Idempotency-Key` header. One that is
 * given but unusable is refused: replacing it with a random id would silently turn a retry into new work.
 * A `null` `message_id` means none.
 */
function clientMessageId(messageId: unknown, idempotencyKey: string | undefined): string | undefined {
  if (idempotencyKey !== undefined) checkMessageId(idempotencyKey, 'the Idempotency-Key header');
  if (messageId === undefined || messageId === null) return idempotencyKey;
  checkMessageId(messageId, 'message_id');
  return messageId;
}

function checkMessageId(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string' || !value) throw new ValidationError(`${name} must be a non-empty string`);
  if (value.length > MAX_MESSAGE_ID_LENGTH) {
    throw new ValidationError(`${name} is longer than ${MAX_MESSAGE_ID_LENGTH} characters`);
  }
}
