import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../core/gateway.ts';
import {
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
