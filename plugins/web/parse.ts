import { randomUUID } from 'node:crypto';
import { ValidationError } from '../../core/errors.ts';
import { hasControlCharacters } from '../../core/limits/message-text.ts';
import {
  BROWSER_ADDRESS_PREFIX,
  conversationIdOf,
  type InboundMessage,
  splitConversationId,
} from '../../core/types.ts';

/**
 * The web channel's one way to make an inbound message, for both of its entries: the REST API
 * (`POST /api/bot/message`) and the web chat's GraphQL `sendMessage`. Same limits, same id scheme.
 */

export const CHANNEL = 'web';
export const MAX_MESSAGE_LENGTH = 4096;
export const MAX_ACTION_LENGTH = 256;
export const MAX_CLIENT_MESSAGE_ID_LENGTH = 200;
const USER_ID = /^[\p{L}\p{N}_.@+\-:]{1,128}$/u;
/** Visible characters only: a retry id is compared as is, so spaces and controls would only confuse. */
const CLIENT_MESSAGE_ID = /^[^\s\p{C}]+$/u;

interface WebMessageParts {
  conversationId: string;
  user: InboundMessage['user'];
  text?: string;
  action?: string;
  /** The caller's id for idempotent retries (already checked). */
  clientMessageId?: string;
  /** How the caller names the text field in errors (`message` over REST, `text` over GraphQL). */
  textField: string;
}

/**
 * The inbound message id. A client-chosen id is scoped to its conversation's address, so that one
 * client can never hit another conversation's stored answer (the runtime's dedup key is
 * `conversationId:id`); without one the id is random and the message is processed once (`oneShot`).
 */
export function inboundMessageId(address: string, clientMessageId?: string): string {
  return clientMessageId ? `${address}.${clientMessageId}` : randomUUID();
}

function webMessage(parts: WebMessageParts): InboundMessage {
  const { text, action, textField } = parts;
  if (text && text.length > MAX_MESSAGE_LENGTH) {
    throw new ValidationError(`${textField} is longer than ${MAX_MESSAGE_LENGTH} characters`, { field: textField });
  }
  if (text && hasControlCharacters(text)) {
    throw new ValidationError(`${textField} may not contain control characters`, { field: textField });
  }
  if (action !== undefined && action.length > MAX_ACTION_LENGTH) {
    throw new ValidationError(`action must be a string of at most ${MAX_ACTION_LENGTH} characters`, {
      field: 'action',
    });
  }
  const { address } = splitConversationId(parts.conversationId);
  return {
    id: inboundMessageId(address, parts.clientMessageId),
    channel: CHANNEL,
    conversationId: parts.conversationId,
    user: parts.user,
    ...(text ? { text } : {}),
    ...(action ? { action } : {}),
    receivedAt: new Date().toISOString(),
    ...(parts.clientMessageId ? {} : { oneShot: true }),
  };
}

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
  if (action !== undefined && typeof action !== 'string') {
    throw new ValidationError(`action must be a string of at most ${MAX_ACTION_LENGTH} characters`);
  }
  const text = typeof message === 'string' ? message.trim() : '';
  if (!text && !action) throw new ValidationError('message is required (a non-empty string) unless action is given');
  const clientMessageId = restMessageId(messageId, idempotencyKey);
  return webMessage({
    conversationId: conversationIdOf(CHANNEL, userId),
    user: { id: userId, ...(typeof userName === 'string' && userName ? { name: userName.slice(0, 100) } : {}) },
    ...(text ? { text } : {}),
    ...(action ? { action } : {}),
    ...(clientMessageId ? { clientMessageId } : {}),
    textField: 'message',
  });
}

/** What the web chat sends (GraphQL `sendMessage`), its token already checked for the conversation. */
export interface BrowserMessageInput {
  conversationId: string;
  text?: string | null;
  action?: string | null;
  clientMessageId?: string | null;
}

/** The web chat's message: exactly one of text and action, in a web conversation. */
export function parseBrowserMessage(input: BrowserMessageInput): InboundMessage {
  const { channel, address } = splitConversationId(input.conversationId);
  if (channel !== CHANNEL || !address) {
    throw new ValidationError('not a web conversation', { field: 'conversationId' });
  }
  const text = input.text?.trim() || undefined;
  const action = input.action?.trim() || undefined;
  if ((text === undefined) === (action === undefined)) throw new ValidationError('send exactly one of text and action');
  if (input.clientMessageId != null) checkClientMessageId(input.clientMessageId, 'clientMessageId');
  return webMessage({
    conversationId: input.conversationId,
    user: { id: address },
    ...(text !== undefined ? { text } : {}),
    ...(action !== undefined ? { action } : {}),
    ...(input.clientMessageId != null ? { clientMessageId: input.clientMessageId } : {}),
    textField: 'text',
  });
}

/**
 * The REST caller's id for idempotent retries: `message_id`, else the `Idempotency-Key` header. One
 * that is given but unusable is refused: replacing it with a random id would silently turn a retry
 * into new work. A `null` `message_id` means none.
 */
function restMessageId(messageId: unknown, idempotencyKey: string | undefined): string | undefined {
  if (idempotencyKey !== undefined) checkClientMessageId(idempotencyKey, 'the Idempotency-Key header');
  if (messageId === undefined || messageId === null) return idempotencyKey;
  checkClientMessageId(messageId, 'message_id');
  return messageId;
}

function checkClientMessageId(value: unknown, name: string): asserts value is string {
  const field = name.startsWith('the ') ? {} : { field: name };
  if (typeof value !== 'string' || !value) throw new ValidationError(`${name} must be a non-empty string`, field);
  if (value.length > MAX_CLIENT_MESSAGE_ID_LENGTH) {
    throw new ValidationError(`${name} is longer than ${MAX_CLIENT_MESSAGE_ID_LENGTH} characters`, field);
  }
  if (!CLIENT_MESSAGE_ID.test(value)) {
    throw new ValidationError(`${name} must be visible characters without spaces`, field);
  }
}
