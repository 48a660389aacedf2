import { RateLimitError } from '../../core/errors.ts';
import { topics } from '../../core/events/bus.ts';
import type { PluginHost } from '../../core/plugin.ts';
import { isRecord } from '../../lib/is-record.ts';
import { chatOf } from './chat-marks.ts';
import type { TelegramClient } from './send.ts';

/** A conversation whose workflow runs: typing is shown for it until `until` at the latest. */
interface Watched {
  until: number;
  unsubscribe: () => void;
}

/** One chat's loop (a group's members share it: the chat shows one "escribiendo…"). */
interface ChatLoop {
  chatId: string;
  conversations: Map<string, Watched>;
  timer: NodeJS.Timeout | null;
  /** After a 429: no action before this (epoch ms). */
  resumeAt: number;
  /** The last beat got no slot of the budget (a message of the chat was on its way, none free). */
  refused: boolean;
}

export interface TypingOptions {
  client: TelegramClient;
  /** Between actions (Telegram shows one for ≤ 5 s). */
  intervalMs: number;
  /** The longest a conversation is shown typing, whatever happens. */
  limitMs: number;
}

/** A beat refused a slot of the budget (no token free, a message of the chat on its way): tried again this soon. */
const REFUSED_RETRY_MS = 1_000;

/**
 * "Escribiendo…" in each chat whose workflow runs: `sendChatAction typing` at once and every
 * `intervalMs`, each only with a token of the chat's send budget free now (`host.tryPace`: messages
 * keep priority; refused, the beat is tried again within a second). A conversation stops when its
 * result is sent here (`stop`), when its state is no longer `processing` (the bus, or the stored
 * conversation: another process delivered it), after `limitMs`, or on close. At most one loop per
 * chat in this process.
 *
 * Telegram cannot take an action back: it shows for up to 5 s or until the bot's next message. So
 * the state is checked right before each call, and a result sent here waits for the chat's action on
 * its way (`stop`), also when the loop already ended. A result sent by another process cannot wait:
 * an action already on its way when the state changes may still land after it; nothing more can be
 * done, but no beat starts after.
 */
export class TypingLoops {
  readonly #options: TypingOptions;
  readonly #chats = new Map<string, ChatLoop>();
  /** Each chat's sendChatAction calls on their way, also of loops already ended: a result waits for them. */
  readonly #actions = new Map<string, Set<Promise<void>>>();
  #host: PluginHost | null = null;
  #closed = false;

  constructor(options: TypingOptions) {
    this.#options = options;
  }

  /** The host the plugin was mounted on: nothing is shown before. */
  attach(host: PluginHost): void {
    this.#host = host;
  }

  /** Chats typing now. */
  get active(): number {
    return this.#chats.size;
  }

  /** The conversation's workflow started (its "Procesando…" message was sent). */
  start(conversationId: string): void {
    const host = this.#host;
    if (!host || this.#closed) return;
    const chatId = chatOf(conversationId);
    let loop = this.#chats.get(chatId);
    const fresh = !loop;
    if (!loop) {
      loop = { chatId, conversations: new Map(), timer: null, resumeAt: 0, refused: false };
      this.#chats.set(chatId, loop);
    }
    const until = Date.now() + this.#options.limitMs;
    const watched = loop.conversations.get(conversationId);
    if (watched) {
      watched.until = until;
    } else {
      const chat = loop;
      const unsubscribe = host.bus.subscribe(topics.state(conversationId), (payload) => {
        if (isRecord(payload) && typeof payload['status'] === 'string' && payload['status'] !== 'processing') {
          this.#drop(chat, conversationId);
        }
      });
      loop.conversations.set(conversationId, { until, unsubscribe });
    }
    // At once, though after the send that started it returns (its message is then no longer on its way).
    if (fresh) this.#schedule(loop, 0);
    else this.wake(conversationId);
  }

  /**
   * A message reached the conversation's chat (which also ends what Telegram showed): a beat refused
   * while it was on its way is tried again at once, not a second later.
   */
  wake(conversationId: string): void {
    const loop = this.#chats.get(chatOf(conversationId));
    if (!loop?.refused || !loop.timer) return;
    clearTimeout(loop.timer);
    this.#schedule(loop, 0);
  }

  /**
   * The conversation's result is being sent: its typing ends, after the chat's action already on its
   * way (also when the loop ended on the bus's word first).
   */
  async stop(conversationId: string): Promise<void> {
    const chatId = chatOf(conversationId);
    const loop = this.#chats.get(chatId);
    if (loop) this.#drop(loop, conversationId);
    await Promise.all([...(this.#actions.get(chatId) ?? [])]);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const loop of [...this.#chats.values()]) {
      for (const id of [...loop.conversations.keys()]) this.#drop(loop, id);
    }
    await Promise.all([...this.#actions.values()].flatMap((actions) => [...actions]));
  }

  #drop(loop: ChatLoop, conversationId: string): void {
    loop.conversations.get(conversationId)?.unsubscribe();
    loop.conversations.delete(conversationId);
    if (loop.conversations.size > 0) return;
    if (loop.timer) clearTimeout(loop.timer);
    loop.timer = null;
    if (this.#chats.get(loop.chatId) === loop) this.#chats.delete(loop.chatId);
  }

  #running(loop: ChatLoop): boolean {
    return this.#chats.get(loop.chatId) === loop && loop.conversations.size > 0;
  }

  #schedule(loop: ChatLoop, delayMs: number): void {
    loop.timer = setTimeout(() => void this.#beat(loop), delayMs);
    loop.timer.unref();
  }

  async #beat(loop: ChatLoop): Promise<void> {
    loop.timer = null;
    for (const [id, watched] of loop.conversations) if (Date.now() >= watched.until) this.#drop(loop, id);
    if (this.#running(loop)) await this.#dropFinished(loop);
    // The last check, right before the call (nothing is awaited in between): a result sent here, a
    // state change on the bus or in the store ended the conversations meanwhile.
    if (!this.#running(loop)) return;
    let nextMs = this.#options.intervalMs;
    loop.refused = false;
    if (Date.now() >= loop.resumeAt) {
      const first = loop.conversations.keys().next().value!;
      if (this.#host?.tryPace?.(first) ?? true) {
        await this.#send(loop, first);
      } else {
        loop.refused = true;
        nextMs = Math.min(nextMs, REFUSED_RETRY_MS);
      }
    }
    // No beat after the loop ended, also when it ended while the action was on its way.
    if (this.#running(loop)) this.#schedule(loop, nextMs);
  }

  /** Conversations whose stored state is no longer `processing` (a missed bus event, another process). */
  async #dropFinished(loop: ChatLoop): Promise<void> {
    const host = this.#host!;
    await Promise.all(
      [...loop.conversations.keys()].map(async (id) => {
        try {
          const view = await host.runtime.getConversation(id);
          if (view?.status !== 'processing') this.#drop(loop, id);
        } catch (error) {
          host.logger.debug({ conversationId: id, err: error }, 'typing: conversation state unreadable');
        }
      }),
    );
  }

  /** One action, kept among the chat's actions on their way until it is answered. */
  async #send(loop: ChatLoop, conversationId: string): Promise<void> {
    const action = this.#act(loop, conversationId);
    let actions = this.#actions.get(loop.chatId);
    if (!actions) {
      actions = new Set();
      this.#actions.set(loop.chatId, actions);
    }
    actions.add(action);
    try {
      await action;
    } finally {
      actions.delete(action);
      if (actions.size === 0 && this.#actions.get(loop.chatId) === actions) this.#actions.delete(loop.chatId);
    }
  }

  async #act(loop: ChatLoop, conversationId: string): Promise<void> {
    try {
      await this.#options.client.call('sendChatAction', { chat_id: loop.chatId, action: 'typing' });
    } catch (error) {
      if (error instanceof RateLimitError) loop.resumeAt = Date.now() + error.retryAfterMs;
      this.#host?.logger.warn({ conversationId, err: error }, 'sendChatAction failed');
    }
  }
}
