import { randomUUID } from 'node:crypto';
import { ValidationError } from '../../core/errors.ts';
import { hasControlCharacters } from '../../core/limits/message-text.ts';
import type { BrowserMessageInput } from '../../core/plugin.ts';
import {
  BROWSER_ADDRESS_PREFIX,
  conversationIdOf,
  type InboundMessage,
  splitConversationId,
} from '../../core/types.ts';

/**
 * The web channel's two entries make their inbound messages here, with the same limits: the REST API
 * (`POST /api/bot/message`) and the web chat's GraphQL `sendMessage`. Each keeps the message-id rule
 * and the error wording its clients have always known.
 */

export const CHANNEL = 'web';
export const MAX_MESSAGE_LENGTH = 4096;
export const MAX_ACTION_LENGTH = 256;
/** REST `message_id` / `Idempotency-Key`: any non-empty string up to this long, stored as given. */
export const MAX_REST_MESSAGE_ID_LENGTH = 200;
const USER_ID = /^[\p{L}\p{N}_.@+\-:]{1,128}$/u;
/** The web chat's `clientMessageId`. */
const BROWSER_MESSAGE_ID = /^[A-Za-z0-9_.:-]{1,100}$/;

/**
 * The message itself. With a client id the runtime answers a retry with the stored answer (it
 * deduplicates on `conversationId:id`); without one the id is random and processed once (`oneShot`).
 */
function webMessage(
  conversationId: string,
  user: InboundMessage['user'],
  content: { text?: string | undefined; action?: string | undefined },
  clientId: string | undefined,
): InboundMessage {
  return {
    id: clientId ?? randomUUID(),
    channel: CHANNEL,
    conversationId,
    user,
    ...(content.text ? { text: content.text } : {}),
    ...(content.action ? { action: content.action } : {}),
    receivedAt: new Date().toISOString(),
    ...(clientId ? {} : { oneShot: true }),
  };
}

/**
 * The original REST API's body: `{user_id, message}`; omnibot adds optional `action` (a pressed
 * button's id), `message_id` (idempotent retries; also the `Idempotency-Key` header) and `user_name`.
 * The client's id is the message id as is: ids stored before (kept `DEDUP_TTL_SECONDS`) still match.
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
  if (action !== undefined && (typeof action !== 'string' || action.length > MAX_ACTION_LENGTH)) {
    throw new ValidationError(`action must be a string of at most ${MAX_ACTION_LENGTH} characters`);
  }
  const text = typeof message === 'string' ? message.trim() : '';
  if (!text && !action) throw new ValidationError('message is required (a non-empty string) unless action is given');
  if (text.length > MAX_MESSAGE_LENGTH) {
    throw new ValidationError(`message is longer than ${MAX_MESSAGE_LENGTH} characters`);
  }
  if (hasControlCharacters(text)) throw new ValidationError('message may not contain control characters');
  const user = { id: userId, ...(typeof userName === 'string' && userName ? { name: userName.slice(0, 100) } : {}) };
  const content = { text, ...(typeof action === 'string' ? { action } : {}) };
  return webMessage(conversationIdOf(CHANNEL, userId), user, content, restMessageId(messageId, idempotencyKey));
}

/**
 * The REST caller's id for idempotent retries: `message_id`, else the `Idempotency-Key` header. One
 * that is given but unusable is refused: replacing it with a random id would silently turn a retry
 * into new work. A `null` `message_id` means none.
 */
function restMessageId(messageId: unknown, idempotencyKey: string | undefined): string | undefined {
  if (idempotencyKey !== undefined) checkRestMessageId(idempotencyKey, 'the Idempotency-Key header');
  if (messageId === undefined || messageId === null) return idempotencyKey;
  checkRestMessageId(messageId, 'message_id');
  return messageId;
}

function checkRestMessageId(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string' || !value) throw new ValidationError(`${name} must be a non-empty string`);
  if (value.length > MAX_REST_MESSAGE_ID_LENGTH) {
    throw new ValidationError(`${name} is longer than ${MAX_REST_MESSAGE_ID_LENGTH} characters`);
  }
}

/**
 * The web chat's message: exactly one of text and action, in a web conversation. A `clientMessageId`
 * is scoped to the conversation's address (`<address>.<id>`), so that one browser can never hit
 * another conversation's stored answer.
 */
export function parseBrowserMessage(input: BrowserMessageInput): InboundMessage {
  const { channel, address } = splitConversationId(input.conversationId);
  if (channel !== CHANNEL || !address) {
    throw new ValidationError('not a web conversation', { field: 'conversationId' });
  }
  const text = input.text?.trim() || undefined;
  const action = input.action?.trim() || undefined;
  if ((text === undefined) === (action === undefined)) throw new ValidationError('send exactly one of text and action');
  if (text && text.length > MAX_MESSAGE_LENGTH) {
    throw new ValidationError(`text exceeds ${MAX_MESSAGE_LENGTH} characters`, { field: 'text' });
  }
  if (text && hasControlCharacters(text)) {
    throw new ValidationError('text may not contain control characters', { field: 'text' });
  }
  if (action && action.length > MAX_ACTION_LENGTH) {
    throw new ValidationError(`action exceeds ${MAX_ACTION_LENGTH} characters`, { field: 'action' });
  }
  const clientId = input.clientMessageId ?? undefined;
  if (clientId !== undefined && !BROWSER_MESSAGE_ID.test(clientId)) {
    throw new ValidationError('clientMessageId must be 1-100 characters of A-Z a-z 0-9 _ . : -', {
      field: 'clientMessageId',
    });
  }
  const id = clientId === undefined ? undefined : `${address}.${clientId}`;
  return webMessage(input.conversationId, { id: address }, { text, action }, id);
}
