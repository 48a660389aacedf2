import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../app/gateway.ts';
import {
  errorCodes,
  MESSAGES,
  type MessageEvent,
  openWsClient,
  postGraphql,
  SEND,
  STATE,
  type StateEvent,
  startConversation,
  subscribe,
} from './support/clients.ts';

const ADMIN_TOKEN = 'gateway-test-admin-token';

let gateway: Gateway;
beforeAll(async () => {
  gateway = await startGateway({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ADMIN_TOKEN });
});
afterAll(async () => {
  await gateway?.stop();
});

interface SendResult {
  sendMessage: {
    conversationId: string;
    messageId: string;
    state: string;
    status: string;
    duplicate: boolean;
    replies: { direction: string; text: string; buttons: { id: string; title: string }[] }[];
  };
}

describe('GraphQL on the gateway (embedded runtime, demo CMMS, in-process workflows)', () => {
  it('answers a work-order query at once with "procesando", then streams the workflow’s answer', async () => {
    const { conversationId, token } = await startConversation(gateway.url);
    const ws = openWsClient(gateway.url, token);
    try {
      const messages = subscribe<MessageEvent>(ws.client, MESSAGES, { id: conversationId }, 'messages');
      const state = subscribe<StateEvent>(ws.client, STATE, { id: conversationId }, 'conversationState');
      await state.next();

      const sent = await postGraphql<SendResult>(
        gateway.url,
        SEND,
        { id: conversationId, text: 'consultar estado de OT-CORR-1' },
        token,
      );
      expect(sent.errors).toBeUndefined();
      expect(sent.data!.sendMessage.status).toBe('PROCESSING');
      expect(sent.data!.sendMessage.replies[0]!.text).toMatch(/Procesando.*OT-CORR-1/);

      const answer = await messages.next((m) => m.direction === 'OUT' && m.text.includes('En Progreso'));
      expect(answer.text).toMatch(/La orden de trabajo OT-CORR-1 .*se encuentra en estado: En Progreso/);
      const idle = await state.next((s) => s.status === 'IDLE' && s.version > 1);
      expect(idle.pendingWorkflow).toBeNull();

      // Everything, in order: the question, "procesando", the answer.
      expect(messages.events.map((m) => [m.direction, m.text.slice(0, 24)])).toEqual([
        ['IN', 'consultar estado de OT-C'],
        ['OUT', sent.data!.sendMessage.replies[0]!.text.slice(0, 24)],
        ['OUT', answer.text.slice(0, 24)],
      ]);
      expect(state.events.map((s) => s.status)).toEqual(['IDLE', 'PROCESSING', 'IDLE']);
    } finally {
      await ws.client.dispose();
    }
  });

  it('offers buttons and takes a pressed button as an action', async () => {
    const { conversationId, token } = await startConversation(gateway.url);
    const hello = await postGraphql<SendResult>(gateway.url, SEND, { id: conversationId, text: 'hola' }, token);
    const buttons = hello.data!.sendMessage.replies.flatMap((reply) => reply.buttons);
    expect(buttons).toContainEqual({ id: 'intent:work_order_status', title: 'Estado de una OT' });

    const pressed = await postGraphql<SendResult>(
      gateway.url,
      SEND,
      { id: conversationId, action: 'intent:work_order_status' },
      token,
    );
    expect(pressed.data!.sendMessage.replies[0]!.text).toMatch(/número de la orden de trabajo/);
    expect(pressed.data!.sendMessage.status).toBe('AWAITING_INPUT');
  });

  it('makes a retried sendMessage with the same clientMessageId idempotent', async () => {
    const { conversationId, token } = await startConversation(gateway.url);
    const vars = { id: conversationId, text: 'hola', clientMessageId: 'retry-1' };
    const first = await postGraphql<SendResult>(gateway.url, SEND, vars, token);
    const again = await postGraphql<SendResult>(gateway.url, SEND, vars, token);
    expect(first.data!.sendMessage.duplicate).toBe(false);
    expect(again.data!.sendMessage.duplicate).toBe(true);
    expect(again.data!.sendMessage.replies.map((r) => r.text)).toEqual(
      first.data!.sendMessage.replies.map((r) => r.text),
    );

    const read = await postGraphql<{ conversation: { version: number; messages: { direction: string }[] } }>(
      gateway.url,
      'query($id: ID!) { conversation(id: $id) { version messages { direction } } }',
      { id: conversationId },
      token,
    );
    expect(read.data!.conversation.version).toBe(1);
    expect(read.data!.conversation.messages.filter((m) => m.direction === 'IN')).toHaveLength(1);
  });

  it('refuses a clientMessageId outside 1-100 characters of A-Z a-z 0-9 _ . : - (the web plugin’s parser)', async () => {
    const { conversationId, token } = await startConversation(gateway.url);
    const refused = await postGraphql<SendResult>(
      gateway.url,
      SEND,
      { id: conversationId, text: 'hola', clientMessageId: 'with spaces' },
      token,
    );
    expect(refused.errors?.[0]).toMatchObject({
      message: 'clientMessageId must be 1-100 characters of A-Z a-z 0-9 _ . : -',
      extensions: { code: 'BAD_USER_INPUT', field: 'clientMessageId' },
    });
  });

  it('lists conversations for the admin', async () => {
    const { conversationId, token } = await startConversation(gateway.url);
    await postGraphql(gateway.url, SEND, { id: conversationId, text: 'hola' }, token);
    const page = await postGraphql<{ conversations: { total: number; items: { id: string; channel: string }[] } }>(
      gateway.url,
      '{ conversations(limit: 100) { total items { id channel } } }',
      {},
      ADMIN_TOKEN,
    );
    expect(page.data!.conversations.items).toContainEqual({ id: conversationId, channel: 'web' });
  });

  it('serves the web chat page with a same-origin content security policy', async () => {
    const page = await fetch(`${gateway.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
    const html = await page.text();
    expect(html).toContain('<html lang="es">');
    expect(html).toContain('/webchat/chat.js');
    const script = await fetch(`${gateway.url}/webchat/chat.js`);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(await script.text()).toContain('graphql-transport-ws');
  });
});

const BY_STATUS = `query($status: ConversationStatus) {
  conversations(limit: 100, status: $status) { nextOffset items { id status } }
}`;
const REPLY = `mutation Reply($id: ID!, $text: String!) {
  replyAsAgent(conversationId: $id, text: $text) { conversationId state status replies { direction text } }
}`;
const RELEASE = `mutation Release($id: ID!) {
  releaseHandoff(conversationId: $id) { conversationId state status replies { direction text } }
}`;

interface Listed {
  conversations: { nextOffset: number | null; items: { id: string; status: string }[] };
}
interface AgentTurn {
  conversationId: string;
  state: string;
  status: string;
  replies: { direction: string; text: string }[];
}

const listedIds = (result: { data?: Listed | null }) => result.data!.conversations.items.map((item) => item.id);

describe('operators on the gateway: a hand-off answered through GraphQL', () => {
  it('lists a user waiting for a person, answers them as the admin, then gives them back to the bot', async () => {
    const { conversationId, token } = await startConversation(gateway.url);
    const ws = openWsClient(gateway.url, token);
    try {
      const messages = subscribe<MessageEvent>(ws.client, MESSAGES, { id: conversationId }, 'messages');
      const state = subscribe<StateEvent>(ws.client, STATE, { id: conversationId }, 'conversationState');
      await state.next();

      const asked = await postGraphql<SendResult>(
        gateway.url,
        SEND,
        { id: conversationId, text: 'quiero hablar con un supervisor' },
        token,
      );
      expect(asked.errors).toBeUndefined();
      expect(asked.data!.sendMessage.status).toBe('HANDOFF');
      await state.next((s) => s.status === 'HANDOFF');

      const waiting = await postGraphql<Listed>(gateway.url, BY_STATUS, { status: 'HANDOFF' }, ADMIN_TOKEN);
      expect(waiting.errors).toBeUndefined();
      expect(waiting.data!.conversations.items).toContainEqual({ id: conversationId, status: 'HANDOFF' });
      expect(waiting.data!.conversations.items.every((item) => item.status === 'HANDOFF')).toBe(true);
      expect(
        listedIds(await postGraphql<Listed>(gateway.url, BY_STATUS, { status: 'IDLE' }, ADMIN_TOKEN)),
      ).not.toContain(conversationId);

      const said = 'Hola, soy de mantención: ¿qué equipo falla?';
      // An operator who gives no name signs as "Operador".
      const text = `Operador: ${said}`;
      const reply = await postGraphql<{ replyAsAgent: AgentTurn }>(
        gateway.url,
        REPLY,
        { id: conversationId, text: said },
        ADMIN_TOKEN,
      );
      expect(reply.errors).toBeUndefined();
      expect(reply.data!.replyAsAgent).toEqual({
        conversationId,
        state: 'handoff',
        status: 'HANDOFF',
        replies: [{ direction: 'OUT', text }],
      });
      expect((await messages.next((m) => m.text === text)).direction).toBe('OUT');

      const released = await postGraphql<{ releaseHandoff: AgentTurn }>(
        gateway.url,
        RELEASE,
        { id: conversationId },
        ADMIN_TOKEN,
      );
      expect(released.errors).toBeUndefined();
      expect(released.data!.releaseHandoff).toMatchObject({ conversationId, state: 'idle', status: 'IDLE' });
      const back = released.data!.releaseHandoff.replies[0]!.text;
      expect(back).toMatch(/asistente automático/);
      await messages.next((m) => m.text === back);
      await state.next((s) => s.status === 'IDLE' && s.version > 1);
      expect(state.events.map((s) => s.status)).toEqual(['IDLE', 'HANDOFF', 'HANDOFF', 'IDLE']);

      const read = await postGraphql<{
        conversation: { status: string; messages: { direction: string; text: string }[] };
      }>(
        gateway.url,
        'query($id: ID!) { conversation(id: $id) { status messages { direction text } } }',
        { id: conversationId },
        token,
      );
      expect(read.data!.conversation.status).toBe('IDLE');
      expect(read.data!.conversation.messages).toContainEqual({ direction: 'OUT', text });
      expect(
        listedIds(await postGraphql<Listed>(gateway.url, BY_STATUS, { status: 'HANDOFF' }, ADMIN_TOKEN)),
      ).not.toContain(conversationId);
    } finally {
      await ws.client.dispose();
    }
  });

  it('refuses conversation tokens, and conversations that are not handed off', async () => {
    const { conversationId, token } = await startConversation(gateway.url);
    await postGraphql(gateway.url, SEND, { id: conversationId, text: 'hola' }, token);
    const vars = { id: conversationId, text: 'hola' };

    expect(errorCodes(await postGraphql(gateway.url, REPLY, vars, token))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await postGraphql(gateway.url, RELEASE, { id: conversationId }, token))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await postGraphql(gateway.url, BY_STATUS, { status: 'HANDOFF' }, token))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await postGraphql(gateway.url, REPLY, vars))).toEqual(['UNAUTHENTICATED']);

    expect(errorCodes(await postGraphql(gateway.url, REPLY, vars, ADMIN_TOKEN))).toEqual(['CONFLICT']);
    expect(errorCodes(await postGraphql(gateway.url, RELEASE, { id: conversationId }, ADMIN_TOKEN))).toEqual([
      'CONFLICT',
    ]);
    expect(errorCodes(await postGraphql(gateway.url, REPLY, { id: 'web:nobody', text: 'hola' }, ADMIN_TOKEN))).toEqual([
      'NOT_FOUND',
    ]);
    expect(errorCodes(await postGraphql(gateway.url, REPLY, { ...vars, text: 'x'.repeat(4097) }, ADMIN_TOKEN))).toEqual(
      ['BAD_USER_INPUT'],
    );
  });
});
