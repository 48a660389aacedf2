import type { ChannelState } from '../../core/delivery/channel-state.ts';
import type { Logger } from '../../core/log.ts';
import { splitConversationId } from '../../core/types.ts';

/** How long a chat's last message and a "Procesando…" message are remembered (a workflow's longest wait). */
export const MARK_TTL_MS = 60 * 60 * 1000;

/** The chat's last message was the user's (a message, a button press): no bot message may be replaced. */
const USER = 'user';

/** The chat a conversation's messages go to: a group member's conversation (`<group>:<user>`) is its group's. */
export const chatOf = (conversationId: string): string => splitConversationId(conversationId).address.split(':')[0]!;

/**
 * What the chat shows last, shared by every gateway process (`host.channelState`): the id of the bot's
 * last message in each chat (`last:<chat>`, or the user's mark once they wrote after it), and each
 * conversation's "Procesando…" message (`processing:<conversation address>`, per group member in a
 * group). A result replaces the "Procesando…" message only while nothing came after it, and only
 * one result ever does: it claims the message first (`replaced:<chat>:<message id>`, set only when
 * absent), so a later result (a late report) is a new message even when forgetting the record failed.
 * The state is a convenience: a failure to read or write it is logged, and the result is sent as a
 * new message.
 */
export class ChatMarks {
  readonly #state: ChannelState;
  readonly #logger: Logger;

  constructor(state: ChannelState, logger: Logger) {
    this.#state = state;
    this.#logger = logger;
  }

  /** A bot message reached the chat: it is the chat's last. */
  botSent(chatId: string, messageId: number): Promise<void> {
    return this.#write('bot message', () => this.#state.set(`last:${chatId}`, String(messageId), MARK_TTL_MS));
  }

  /** The user wrote or pressed a button in the chat after the bot's last message. */
  userWrote(chatId: string): Promise<void> {
    return this.#write('user message', () => this.#state.set(`last:${chatId}`, USER, MARK_TTL_MS));
  }

  /** The conversation's "Procesando…" message, which its result may replace. */
  rememberProcessing(conversationId: string, messageId: number): Promise<void> {
    return this.#write('processing message', () =>
      this.#state.set(processingKey(conversationId), String(messageId), MARK_TTL_MS),
    );
  }

  forgetProcessing(conversationId: string): Promise<void> {
    return this.#write('processing message', () => this.#state.delete(processingKey(conversationId)));
  }

  /**
   * Claims the conversation's "Procesando…" message for its result: its id while it is still the
   * chat's last message and no result (of this process or another) claimed it before; else null.
   * The claim is atomic (set only when absent) and outlives the record: at most one result replaces
   * a given "Procesando…". `release` gives it back when the edit is to be tried again.
   */
  async claimReplaceable(conversationId: string): Promise<number | null> {
    try {
      const processing = await this.#state.get(processingKey(conversationId));
      if (processing === null) return null;
      const chatId = chatOf(conversationId);
      const last = await this.#state.get(`last:${chatId}`);
      if (last !== processing) return null;
      const claimed = await this.#state.setIfAbsent(replacedKey(chatId, processing), '1', MARK_TTL_MS);
      return claimed ? Number(processing) : null;
    } catch (error) {
      this.#logger.warn({ conversationId, err: error }, 'Telegram chat marks unreadable: result sent as a new message');
      return null;
    }
  }

  /** Gives back a claim whose edit failed for now (a rate limit, an outage): the retry may edit. */
  release(conversationId: string, messageId: number): Promise<void> {
    return this.#write('replace claim', () =>
      this.#state.delete(replacedKey(chatOf(conversationId), String(messageId))),
    );
  }

  async #write(what: string, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      this.#logger.warn({ err: error, mark: what }, 'Telegram chat mark not saved');
    }
  }
}

const processingKey = (conversationId: string) => `processing:${splitConversationId(conversationId).address}`;
const replacedKey = (chatId: string, messageId: string) => `replaced:${chatId}:${messageId}`;
