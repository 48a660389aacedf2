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
  /** The sendChatAction on its way: a result waits for it, so no typing lands after the result. */
  inFlight: Promise<void> | null;
  /** After a 429: no action before this (epoch ms). */
  resumeAt: number;
}

export interface TypingOptions {
  client: TelegramClient;
  /** Between actions (Telegram shows one for ≤ 5 s). */
  intervalMs: number;
  /** The longest a conversation is shown typing, whatever happens. */
  limitMs: number;
}

/**
 * "Escribiendo…" in each chat whose workflow runs: `sendChatAction typing` at once and every
 * `intervalMs`, each only with a token of the chat's send budget free now (`host.tryPace`: messages
 * keep priority; no token, no action this beat). A conversation stops when its result is sent here
 * (`stop`), when its state is no longer `processing` (the bus, or the stored conversation: another
 * process delivered it), after `limitMs`, or on close. At most one loop per chat in this process.
 */
export class TypingLoops {
  readonly #options: TypingOptions;
  readonly #chats = new Map<string, ChatLoop>();
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
      loop = { chatId, conversations: new Map(), timer: null, inFlight: null, resumeAt: 0 };
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
    if (fresh) void this.#beat(loop);
  }

  /** The conversation's result is being sent: its typing ends, after any action already on its way. */
  async stop(conversationId: string): Promise<void> {
    const loop = this.#chats.get(chatOf(conversationId));
    if (!loop) return;
    this.#drop(loop, conversationId);
    await loop.inFlight;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const loops = [...this.#chats.values()];
    for (const loop of loops) for (const id of [...loop.conversations.keys()]) this.#drop(loop, id);
    await Promise.all(loops.map((loop) => loop.inFlight));
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

  async #beat(loop: ChatLoop): Promise<void> {
    loop.timer = null;
    const now = Date.now();
    for (const [id, watched] of loop.conversations) if (now >= watched.until) this.#drop(loop, id);
    if (this.#running(loop)) await this.#dropFinished(loop);
    // Checked again after the awaits: a result sent meanwhile ended the loop.
    if (!this.#running(loop)) return;
    const first = loop.conversations.keys().next().value!;
    if (now >= loop.resumeAt && (this.#host?.tryPace?.(first) ?? true)) {
      loop.inFlight = this.#act(loop, first);
      await loop.inFlight;
      loop.inFlight = null;
    }
    if (this.#running(loop)) {
      loop.timer = setTimeout(() => void this.#beat(loop), this.#options.intervalMs);
      loop.timer.unref();
    }
  }

  /** Conversations whose stored state is no longer `processing` (a missed bus event, another process). */
  async #dropFinished(loop: ChatLoop): Promise<void> {
    const host = this.#host!;
    for (const id of [...loop.conversations.keys()]) {
      try {
        const view = await host.runtime.getConversation(id);
        if (view?.status !== 'processing') this.#drop(loop, id);
      } catch (error) {
        host.logger.debug({ conversationId: id, err: error }, 'typing: conversation state unreadable');
      }
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
