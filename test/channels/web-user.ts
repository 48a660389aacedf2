import { redactLinkCodes } from '../../core/identity/redact.ts';
import type { RecordedRequest, SentMessage } from '../support/platform-server.ts';
import type { ChatUser } from './drivers.ts';

interface Entry {
  direction?: string;
  text: string;
  buttons?: { id: string; title: string }[];
}

export interface WebUserOptions {
  gatewayUrl: string;
  /** The REST API's `user_id` (the conversation is `web:<userId>`). */
  userId: string;
  name?: string;
  /** How often the transcript is read while waiting. */
  pollMs?: number;
  /**
   * The gateway's WEB_API_KEY, sent as `X-Api-Key`: a backend that authenticates its users. Without a
   * key the REST sender is anyone, so the gateway never links such a chat to a CMMS account.
   */
  apiKey?: string;
}

/**
 * A user of the web channel's REST API (`POST /api/bot/message`), as the shared flows drive a chat
 * user. A turn's replies are taken from the POST answer (as said: a one-time link included); what
 * comes in later turns (a workflow's answer, the link confirmation) from the conversation's
 * transcript, read with the conversation token, where link codes are stored redacted
 * (`/link/[enlace]`). The replies of a turn whose conversation was erased right after (`borrar mis
 * datos`) are only in the answer.
 */
export function webUser(opts: WebUserOptions): ChatUser & { conversationId: string } {
  const conversationId = `web:${opts.userId}`;
  const inbox: SentMessage[] = [];
  /** Outbound transcript entries already accounted for (reset when the conversation is erased). */
  let merged = 0;
  let token: string | undefined;
  let seen = 0;

  const message = (entry: Entry, operation: string): SentMessage => {
    const request: RecordedRequest = {
      platform: 'web',
      operation,
      path: operation === 'answer' ? '/api/bot/message' : `/api/bot/conversations/${conversationId}/messages`,
      headers: {},
      body: {},
      status: 200,
      response: entry,
      at: Date.now(),
    };
    const buttons = entry.buttons ?? [];
    const form = buttons.length > 0 ? 'buttons' : 'text';
    return { platform: 'web', address: opts.userId, text: entry.text, buttons, form, request };
  };

  /** The outbound transcript entries not accounted for yet. */
  async function unread(): Promise<Entry[]> {
    if (!token) return [];
    const response = await fetch(
      `${opts.gatewayUrl}/api/bot/conversations/${encodeURIComponent(conversationId)}/messages?limit=500`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    // An erased conversation is gone until the user writes again.
    if (response.status === 404) {
      merged = 0;
      return [];
    }
    if (response.status !== 200) throw new Error(`transcript answered ${response.status}: ${await response.text()}`);
    const out = ((await response.json()) as { messages: Entry[] }).messages.filter((m) => m.direction === 'out');
    if (out.length < merged) merged = 0;
    const fresh = out.slice(merged);
    merged = out.length;
    return fresh;
  }

  async function sync(): Promise<void> {
    for (const entry of await unread()) inbox.push(message(entry, 'transcript'));
  }

  /** Where the turn's replies sit among the fresh transcript entries (the last such run), or -1. */
  function turnAt(fresh: Entry[], replies: Entry[]): number {
    const stored = replies.map((r) => redactLinkCodes(r.text));
    for (let at = fresh.length - stored.length; at >= 0; at--) {
      if (stored.every((text, i) => fresh[at + i]!.text === text)) return at;
    }
    return -1;
  }

  async function post(body: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${opts.gatewayUrl}/api/bot/message`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(opts.apiKey ? { 'x-api-key': opts.apiKey } : {}) },
      body: JSON.stringify({ user_id: opts.userId, ...(opts.name ? { user_name: opts.name } : {}), ...body }),
    });
    if (response.status !== 200) throw new Error(`web API answered ${response.status}: ${await response.text()}`);
    const answer = (await response.json()) as { conversation_token: string; replies: Entry[] };
    token = answer.conversation_token;
    const fresh = await unread();
    const at = turnAt(fresh, answer.replies);
    const before = at < 0 ? fresh : fresh.slice(0, at);
    const after = at < 0 ? [] : fresh.slice(at + answer.replies.length);
    for (const entry of before) inbox.push(message(entry, 'transcript'));
    for (const reply of answer.replies) inbox.push(message(reply, 'answer'));
    for (const entry of after) inbox.push(message(entry, 'transcript'));
  }

  return {
    address: opts.userId,
    conversationId,
    say: (text) => post({ message: text }),
    async press(sent, buttonId) {
      if (!sent.buttons.some((b) => b.id === buttonId)) {
        throw new Error(`no button ${buttonId} in ${JSON.stringify(sent.buttons)}`);
      }
      await post({ action: buttonId });
    },
    async next(match, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const at = inbox.findIndex((m, i) => i >= seen && match.test(m.text));
        if (at >= 0) {
          seen = at + 1;
          return inbox[at]!;
        }
        if (Date.now() > deadline) {
          const texts = inbox.slice(seen).map((m) => m.text);
          throw new Error(`web:${opts.userId}: no message matching ${match}; unread: ${JSON.stringify(texts)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, opts.pollMs ?? 50));
        await sync();
      }
    },
  };
}
