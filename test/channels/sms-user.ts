import type { ConversationStore } from '../../core/store/types.ts';
import type { Button } from '../../core/types.ts';
import { signTwilioRequest } from '../../plugins/sms/verify.ts';
import { fixtureText } from '../contract/fixtures.ts';
import type { PlatformServer, SentMessage } from '../support/platform-server.ts';
import type { ChatUser, DriverOptions } from './drivers.ts';

export interface SmsUserOptions extends DriverOptions {
  /** The user's phone number (E.164). */
  number: string;
  /** What Twilio is configured with: the account, its auth token, our number and the webhook URL it signs. */
  accountSid: string;
  authToken: string;
  ourNumber: string;
  /** PUBLIC_URL: Twilio requests `PUBLIC_URL/webhooks/sms` (through a proxy to `gatewayUrl`) and signs that URL. */
  publicUrl: string;
  /** The gateway's store: the ids behind the numbered options the user sees (see `next`). */
  store: ConversationStore;
}

/**
 * The buttons behind numbered options the user saw (the fake reads them back with their numbers as
 * ids): those of the latest offer, in `offers` (oldest first), with the same titles.
 */
export function buttonsBehind(seen: readonly Button[], offers: readonly { buttons?: readonly Button[] }[]): Button[] {
  const titles = JSON.stringify(seen.map((b) => b.title));
  const source = offers.findLast((offer) => JSON.stringify(offer.buttons?.map((b) => b.title)) === titles);
  return source?.buttons ? [...source.buttons] : [...seen];
}

let sequence = 0;
const sid = () => `SM${Date.now().toString(16).padStart(16, '0')}${String(++sequence).padStart(16, '0')}`;

/**
 * A phone texting the gateway's Twilio number: each `say` is Twilio's signed incoming-message
 * webhook; replies are read from the fake Twilio API. A button is pressed the SMS way, by texting its
 * number. `next` gives the buttons their ids (the numbered options the user saw, matched by title
 * with the assistant's message in the transcript), so the shared flows (`flows.ts`) run as they are.
 */
export function smsUser(opts: SmsUserOptions): ChatUser & { post(body: string): Promise<Response> } {
  const conversationId = `sms:${opts.number}`;
  const webhookUrl = `${opts.publicUrl}/webhooks/sms`;
  const post = (body: string) =>
    fetch(`${opts.gatewayUrl}/webhooks/sms`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signTwilioRequest(opts.authToken, webhookUrl, new URLSearchParams(body)),
      },
      body,
    });
  const withIds = async (message: SentMessage): Promise<SentMessage> => {
    if (message.buttons.length === 0) return message;
    const transcript = await opts.store.readTranscript(conversationId, 50);
    const offers = transcript.filter((entry) => entry.direction === 'out');
    return { ...message, buttons: buttonsBehind(message.buttons, offers) };
  };
  const read = reader(opts.platform, opts.number);
  const user = {
    address: opts.number,
    post,
    async say(text: string) {
      const params = new URLSearchParams(fixtureText('sms', 'text.txt'));
      const messageSid = sid();
      for (const name of ['MessageSid', 'SmsSid', 'SmsMessageSid']) params.set(name, messageSid);
      params.set('AccountSid', opts.accountSid);
      params.set('From', opts.number);
      params.set('To', opts.ourNumber);
      params.set('Body', text);
      const response = await post(params.toString());
      if (response.status !== 200) throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
    },
    async press(message: SentMessage, buttonId: string) {
      const at = message.buttons.findIndex((b) => b.id === buttonId);
      if (at < 0) throw new Error(`no option ${buttonId} in ${JSON.stringify(message.buttons)}`);
      await user.say(String(at + 1));
    },
    next: async (match: RegExp, timeoutMs?: number) => withIds(await read(match, timeoutMs)),
  };
  return user;
}

function reader(platform: PlatformServer, number: string) {
  let seen = 0;
  return async (match: RegExp, timeoutMs?: number) => {
    const found = await platform.waitFor(
      () => {
        const list = platform.sent('sms', number);
        const at = list.findIndex((m, i) => i >= seen && match.test(m.text));
        return at >= 0 ? { message: list[at]!, at } : undefined;
      },
      timeoutMs,
      `sms:${number} message matching ${match}`,
    );
    seen = found.at + 1;
    return found.message;
  };
}
