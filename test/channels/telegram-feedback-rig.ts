import type { Hono } from 'hono';
import { createOutboundDispatcher } from '../../core/delivery/dispatcher.ts';
import type { ChannelLimits } from '../../core/delivery/types.ts';
import { createMemoryEventBus, topics } from '../../core/events/bus.ts';
import { createLogger } from '../../core/log.ts';
import { type ChannelPlugin, PluginRegistry } from '../../core/plugin.ts';
import type { ConversationStatus } from '../../core/runtime/types.ts';
import type { Button, OutboundMessage } from '../../core/types.ts';
import { createTelegramPlugin } from '../../plugins/telegram/index.ts';
import { createFakeRuntime } from '../contract/fake-runtime.ts';
import { mountPlugin } from '../contract/plugin-host.ts';
import type { PlatformServer, RecordedRequest } from '../support/platform-server.ts';

export const TOKEN = '123:ABC';
export const SECRET = 'tg_feedback-secret';
export const PROCESSING = 'Procesando: estoy creando la orden de trabajo para CAT-001…';
/** The Bot API calls a user's chat gets: every one spends the chat's budget. */
export const CHAT_CALLS = ['sendMessage', 'editMessageText', 'sendChatAction'];

export interface RigOptions {
  typingIntervalMs?: number;
  typingLimitMs?: number;
  /** The channel's pacing; default unpaced. */
  pacing?: ChannelLimits;
}

/**
 * The Telegram plugin mounted on a fake host the way the gateway mounts it: its messages through the
 * real dispatcher (pacing, retries), `tryPace` from it, an in-memory bus and channel state, and a
 * runtime whose conversations' status the test sets (`working`, `finish`).
 */
export function feedbackRig(platform: PlatformServer, options: RigOptions = {}) {
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger('debug', {}, (line) => logs.push(JSON.parse(line)));
  const plugin: ChannelPlugin = createTelegramPlugin({
    token: TOKEN,
    webhookSecret: SECRET,
    apiUrl: platform.apiUrl('telegram'),
    timeoutMs: 2000,
    typingIntervalMs: options.typingIntervalMs ?? 100,
    typingLimitMs: options.typingLimitMs ?? 60_000,
    ...(options.pacing ? { pacing: options.pacing } : {}),
  });
  const registry = new PluginRegistry().register(plugin);
  const dispatcher = createOutboundDispatcher({
    registry,
    logger,
    retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
    deadLetter: { intervalMs: 0, firstRetryDelayMs: 0, maxRounds: 3 },
    limits: { telegram: options.pacing ?? {} },
    random: () => 0.5,
  });
  const statuses = new Map<string, ConversationStatus>();
  const fake = createFakeRuntime({ reply: () => null });
  const runtime = {
    ...fake,
    async getConversation(id: string) {
      const status = statuses.get(id);
      if (!status) return null;
      const at = new Date().toISOString();
      return {
        id,
        channel: 'telegram',
        userId: id,
        state: status,
        status,
        version: 1,
        machineVersion: 1,
        createdAt: at,
        updatedAt: at,
      };
    },
  };
  const bus = createMemoryEventBus();
  const { app }: { app: Hono } = mountPlugin(plugin, {
    runtime,
    logger,
    bus,
    deliver: (message) => dispatcher.dispatch(message),
    tryPace: (id) => dispatcher.tryPace(id),
  });

  let closed: Promise<void> | undefined;
  const deliver = async (message: OutboundMessage) => {
    await dispatcher.dispatch(message);
    await dispatcher.idle();
  };

  return {
    logs,
    dispatcher,
    runtime: fake,
    /** The workflow starts: the conversation is `processing` and its "Procesando…" message goes out. */
    async working(conversationId: string) {
      statuses.set(conversationId, 'processing');
      await deliver({ conversationId, text: PROCESSING, kind: 'processing' });
    },
    /**
     * The conversation leaves `processing` (its result committed), published as the runtime does;
     * `publish: false` changes only the stored state (a bus message this process missed).
     */
    finish(conversationId: string, opts: { status?: ConversationStatus; publish?: boolean } = {}) {
      const status = opts.status ?? 'idle';
      statuses.set(conversationId, status);
      if (opts.publish !== false)
        bus.publish(topics.state(conversationId), { conversationId, state: status, status, version: 2 });
    },
    result: (conversationId: string, text: string, buttons?: Button[]) =>
      deliver({ conversationId, text, kind: 'result', ...(buttons ? { buttons } : {}) }),
    deliver,
    /** Posts an update to the webhook as Telegram would. */
    async post(update: Record<string, unknown>) {
      const res = await app.request('/webhooks/telegram', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
        body: JSON.stringify(update),
      });
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
      await fake.settle();
    },
    /** Closes the dispatcher and the plugin (once; later calls wait for the same close). */
    close() {
      closed ??= (async () => {
        await dispatcher.close(1000);
        await plugin.close?.();
      })();
      return closed;
    },
  };
}

/** The chat's Bot API calls (`operations`, default all), oldest first. */
export const callsTo = (
  platform: PlatformServer,
  chatId: string | number,
  operations = CHAT_CALLS,
): RecordedRequest[] =>
  platform.requests.filter((r) => operations.includes(r.operation) && String(r.body['chat_id']) === String(chatId));

export const typingActions = (platform: PlatformServer, chatId: string | number) =>
  callsTo(platform, chatId, ['sendChatAction']);

/**
 * Lets `ms` pass: only to show that something did NOT happen (no typing after a result), never to
 * wait for something to happen (those poll with `platform.waitFor`).
 */
export const quietFor = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A user's text message in `chatId` (a private chat's id, or a group's with `from`). */
export function userMessage(chatId: number, text: string, messageId: number, from = chatId) {
  return {
    update_id: 700_000 + messageId,
    message: {
      message_id: messageId,
      from: { id: from, is_bot: false, first_name: 'Pedro' },
      chat: chatId < 0 ? { id: chatId, title: 'Mantención', type: 'supergroup' } : { id: chatId, type: 'private' },
      date: Math.floor(Date.now() / 1000),
      text,
    },
  };
}
