import type { PluginHost } from '../../core/plugin.ts';
import type { InboundMessage } from '../../core/types.ts';
import { offeredButtons, optionNumber, pressedButton } from './options.ts';
import { LIMITS } from './types.ts';

/**
 * Waits between attempts while the store fails, about 5 minutes in all. Twilio does not redeliver an
 * SMS whose webhook failed (no retry on 5xx by default, at most 15 s with connection overrides), so
 * the webhook answers 200 at once and the message is kept trying, longer than other channels.
 */
export const SMS_INBOUND_RETRY_DELAYS_MS: readonly number[] = [
  1_000, 2_000, 4_000, 8_000, 15_000, 30_000, 30_000, 30_000, 30_000, 30_000, 30_000, 30_000, 30_000, 30_000,
];

/** Transcript entries read back to find the user's previous message (and the offer made since). */
const TRANSCRIPT_LOOKBACK = 20;

/**
 * The message as the runtime gets it: a reply that is only the number of an option the assistant
 * offered since the user's previous message presses that button (`action`), as a press does on
 * other channels. The offer is read from the transcript, so any process answers the number alike.
 * Runs inside the turn (the webhook route's `prepare`), after the conversation's earlier turns, so a
 * number typed ahead ("3" then "1") is read against the offer the first one's turn made. A failed
 * read throws (the message is retried): the number is never guessed to be text.
 */
export async function withPressedButton(message: InboundMessage, host: PluginHost): Promise<InboundMessage> {
  if (optionNumber(message.text) === null) return message;
  const transcript = await host.runtime.transcript(message.conversationId, TRANSCRIPT_LOOKBACK);
  const button = pressedButton(message.text, offeredButtons(transcript).slice(0, LIMITS.options));
  return button ? { ...message, action: button.id } : message;
}
