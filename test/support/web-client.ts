import { expect } from 'vitest';

export interface WebAnswer {
  conversation_id: string;
  conversation_token: string;
  replies: { text: string; buttons?: { id: string; title: string }[] }[];
  status: string;
  state: string;
  duplicate?: boolean;
}

/** A REST client of the web channel, as a user's integration would call it. */
export function webClient(baseUrl: string) {
  async function send(userId: string, message: string, extra: Record<string, unknown> = {}): Promise<WebAnswer> {
    const response = await fetch(`${baseUrl}/api/bot/message`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: userId, message, ...extra }),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as WebAnswer;
  }

  async function messages(conversationId: string, token: string) {
    const response = await fetch(
      `${baseUrl}/api/bot/conversations/${encodeURIComponent(conversationId)}/messages?limit=100`,
      {
        headers: { authorization: `Bearer ${token}` },
      },
    );
    expect(response.status).toBe(200);
    return (await response.json()) as {
      status: string;
      state: string;
      messages: { direction: string; text: string }[];
    };
  }

  /** Polls the transcript until an outbound message matches (the workflow's answer arrives later). */
  async function waitForReply(
    conversationId: string,
    token: string,
    pattern: RegExp,
    timeoutMs = 15_000,
  ): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { messages: list } = await messages(conversationId, token);
      const found = list.find((m) => m.direction === 'out' && pattern.test(m.text));
      if (found) return found.text;
      if (Date.now() > deadline) {
        throw new Error(`no reply matching ${pattern} in ${JSON.stringify(list.map((m) => m.text))}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  return { send, messages, waitForReply };
}
