import type { ChatUser } from '../channels/drivers.ts';
import {
  MESSAGES,
  type MessageEvent,
  openWsClient,
  postGraphql,
  SEND,
  STATE,
  type StateEvent,
  type Subscription,
  startConversation,
  subscribe,
  type WsClient,
} from '../graphql/support/clients.ts';
import type { RecordedRequest, SentMessage } from '../support/platform-server.ts';

export interface WebChatUser extends ChatUser {
  /** `web:<address>`, known once the conversation started (the first `say`, `next` or `ready`). */
  readonly conversationId: string;
  /** Starts the conversation and its live message stream (done by the first `say` or `next` too). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A person in the web chat, as the page does it: GraphQL `startConversation`, the `messages`
 * subscription (live over graphql-ws, link codes included: only the stored transcript has them
 * redacted), and `sendMessage` with a text or a pressed button's id. `next` reads the assistant's
 * messages as they stream: the turn's replies and what comes later (a workflow's answer, the link
 * confirmation).
 */
export function webChatUser(opts: { gatewayUrl: string; timeoutMs?: number }): WebChatUser {
  let conversationId = '';
  let token = '';
  let ws: WsClient | undefined;
  let stream: Subscription<MessageEvent> | undefined;
  let started: Promise<void> | undefined;
  let seen = 0;

  const ready = () => {
    started ??= (async () => {
      ({ conversationId, token } = await startConversation(opts.gatewayUrl));
      ws = openWsClient(opts.gatewayUrl, token);
      stream = subscribe<MessageEvent>(ws.client, MESSAGES, { id: conversationId }, 'messages');
      // The first state event: the subscriptions opened before it on this socket are live.
      const state = subscribe<StateEvent>(ws.client, STATE, { id: conversationId }, 'conversationState');
      await state.next();
      state.dispose();
    })();
    return started;
  };

  const outbound = () => (stream?.events ?? []).filter((m) => m.direction === 'OUT');

  const asSent = (event: MessageEvent): SentMessage => {
    const request: RecordedRequest = {
      platform: 'web',
      operation: 'messages',
      path: '/graphql',
      headers: {},
      body: {},
      status: 200,
      response: event,
      at: Date.parse(event.at),
    };
    const address = conversationId.slice('web:'.length);
    const form = event.buttons.length > 0 ? 'buttons' : 'text';
    return { platform: 'web', address, text: event.text, buttons: event.buttons, form, request };
  };

  async function send(content: { text: string } | { action: string }): Promise<void> {
    await ready();
    const result = await postGraphql(opts.gatewayUrl, SEND, { id: conversationId, ...content }, token);
    if (result.errors) throw new Error(`sendMessage failed: ${JSON.stringify(result.errors)}`);
  }

  return {
    get conversationId() {
      return conversationId;
    },
    get address() {
      return conversationId.slice('web:'.length);
    },
    ready,
    say: (text) => send({ text }),
    async press(message, buttonId) {
      if (!message.buttons.some((b) => b.id === buttonId)) {
        throw new Error(`no button ${buttonId} in ${JSON.stringify(message.buttons)}`);
      }
      await send({ action: buttonId });
    },
    async next(match, timeoutMs = opts.timeoutMs ?? 15_000) {
      await ready();
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const list = outbound();
        const at = list.findIndex((m, i) => i >= seen && match.test(m.text));
        if (at >= 0) {
          seen = at + 1;
          return asSent(list[at]!);
        }
        if (Date.now() > deadline) {
          const unread = list.slice(seen).map((m) => m.text);
          throw new Error(`${conversationId}: no message matching ${match}; unread: ${JSON.stringify(unread)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      stream?.dispose();
      await ws?.client.dispose();
    },
  };
}
