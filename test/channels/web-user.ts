import type { RecordedRequest, SentMessage } from '../support/platform-server.ts';
import type { ChatUser } from './drivers.ts';

interface TranscriptEntry {
  direction: string;
  text: string;
  buttons?: { id: string; title: string }[];
  at?: string;
}

export interface WebUserOptions {
  gatewayUrl: string;
  /** The REST API's `user_id` (the conversation is `web:<userId>`). */
  userId: string;
  name?: string;
  /** How often the transcript is read while waiting. */
  pollMs?: number;
}

/**
 * A user of the web channel's REST API (`POST /api/bot/message`), as the shared flows drive a chat
 * user: the assistant's messages are read from the conversation's transcript (with the conversation
 * token of the first answer), so the workflow results and the link confirmation that come later are
 * seen too. A turn whose conversation was erased right after (`borrar mis datos`) is read from the
 * POST answer, the only place it is left.
 */
export function webUser(opts: WebUserOptions): ChatUser & { conversationId: string } {
  const conversationId = `web:${opts.userId}`;
  const inbox: SentMessage[] = [];
  /** Outbound transcript entries already in the inbox (reset when the conversation is erased). */
  let merged = 0;
  let token: string | undefined;
  let seen = 0;

  const message = (entry: TranscriptEntry, operation: string): SentMessage => {
    const request: RecordedRequest = {
      platform: 'web',
      operation,
      path: `/api/bot/conversations/${conversationId}/messages`,
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

  async function sync(): Promise<void> {
    if (!token) return;
    const response = await fetch(
      `${opts.gatewayUrl}/api/bot/conversations/${encodeURIComponent(conversationId)}/messages?limit=500`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    // An erased conversation is gone until the user writes again.
    if (response.status === 404) {
      merged = 0;
      return;
    }
    if (response.status !== 200) throw new Error(`transcript answered ${response.status}: ${await response.text()}`);
    const { messages } = (await response.json()) as { messages: TranscriptEntry[] };
    const out = messages.filter((m) => m.direction === 'out');
    if (out.length < merged) merged = 0;
    for (const entry of out.slice(merged)) inbox.push(message(entry, 'transcript'));
    merged = out.length;
  }

  async function post(body: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${opts.gatewayUrl}/api/bot/message`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: opts.userId, ...(opts.name ? { user_name: opts.name } : {}), ...body }),
    });
    if (response.status !== 200) throw new Error(`web API answered ${response.status}: ${await response.text()}`);
    const answer = (await response.json()) as { conversation_token: string; replies: TranscriptEntry[] };
    token = answer.conversation_token;
    const before = inbox.length;
    await sync();
    // The transcript no longer has this turn (erased): its replies are what the answer carried.
    const fresh = inbox.slice(before).map((m) => m.text);
    for (const reply of answer.replies) {
      if (!fresh.includes(reply.text)) inbox.push(message(reply, 'answer'));
    }
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
