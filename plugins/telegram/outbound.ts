import { sendParts } from '../../core/delivery/send-parts.ts';
import type { SendOptions } from '../../core/delivery/types.ts';
import { RateLimitError, UpstreamError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { OutboundMessage } from '../../core/types.ts';
import type { ChatMarks } from './chat-marks.ts';
import { type CallbackData, renderTelegram } from './render.ts';
import type { TelegramClient } from './send.ts';
import type { TgSendMessage } from './types.ts';
import type { TypingLoops } from './typing.ts';

export interface TelegramOutboundDeps {
  client: TelegramClient;
  callbackData: CallbackData;
  typing: TypingLoops;
  /** Set at mount (the host's channel state); before, messages are only sent. */
  marks(): { marks: ChatMarks; logger: Logger } | null;
}

/**
 * Sends one outbound message. A "Procesando…" message (`kind: 'processing'`) is remembered and starts
 * the chat's typing; a result (`kind: 'result'`) ends it and, when the "Procesando…" message is still
 * the chat's last message, no other result claimed it, and the result fits in one message, replaces
 * it (editMessageText) instead of adding a message. Every message sent becomes the chat's last.
 */
export async function sendTelegram(
  deps: TelegramOutboundDeps,
  message: OutboundMessage,
  options: SendOptions = {},
): Promise<void> {
  const { conversationId } = message;
  const parts = renderTelegram(message, deps.callbackData);
  const chatId = parts[0]!.chat_id;
  const mounted = deps.marks();
  if (message.kind === 'result') {
    await deps.typing.stop(conversationId);
    if (mounted && parts.length === 1 && !options.fromPart) {
      const processing = await mounted.marks.claimReplaceable(conversationId);
      if (processing !== null) {
        let shown: boolean;
        try {
          shown = await replaced(deps.client, parts[0]!, processing, mounted.logger, conversationId);
        } catch (error) {
          // Retried by the dispatcher: the retry claims the message again.
          await mounted.marks.release(conversationId, processing);
          throw error;
        }
        if (shown) {
          options.onPartSent?.(1);
          await mounted.marks.forgetProcessing(conversationId);
          return;
        }
        // The edit was refused: the new message is one more API call, paced like a part.
        await options.beforePart?.(0);
      }
    }
  }
  let lastId: number | null = null;
  // Parts already accepted (the dispatcher keeps the count, also in dead letters) are not repeated.
  await sendParts(parts, options, async (part) => {
    const sent = await deps.client.call<{ message_id?: number }>('sendMessage', part);
    if (typeof sent?.message_id === 'number') {
      lastId = sent.message_id;
      await mounted?.marks.botSent(chatId, lastId);
    }
    return undefined;
  });
  if (!mounted) return;
  if (message.kind === 'processing') {
    if (lastId !== null) await mounted.marks.rememberProcessing(conversationId, lastId);
    deps.typing.start(conversationId);
  } else if (message.kind === 'result') {
    await mounted.marks.forgetProcessing(conversationId);
  } else {
    deps.typing.wake(conversationId);
  }
}

/**
 * Replaces the "Procesando…" message with the result. True when the chat shows the result now (also
 * when it already did: "message is not modified" after a retried edit). A rate limit or an outage is
 * thrown like a send's (the dispatcher waits and retries); any other refusal (the message is gone,
 * too old to edit) is false: the result goes as a new message.
 */
async function replaced(
  client: TelegramClient,
  part: TgSendMessage,
  messageId: number,
  logger: Logger,
  conversationId: string,
): Promise<boolean> {
  const { reply_parameters: _notForEdits, ...content } = part;
  try {
    await client.call('editMessageText', { ...content, message_id: messageId });
    return true;
  } catch (error) {
    if (error instanceof RateLimitError) throw error;
    if (error instanceof UpstreamError && error.retryable) throw error;
    if (/message is not modified/i.test((error as Error).message)) return true;
    logger.info({ conversationId, err: error }, 'processing message not editable: result sent as a new message');
    return false;
  }
}
