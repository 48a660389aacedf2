import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createStubServices, SESSION_SECRET } from '../../test/graphql/support/stub-services.ts';
import { issueConversationToken, verifyConversationToken } from '../auth/conversation-token.ts';
import { RateLimitError } from '../errors.ts';
import { createGraphqlYoga } from './yoga.ts';

interface GraphqlResponse {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

function setup(options: { adminToken?: string } = { adminToken: ADMIN_TOKEN }) {
  const stub = createStubServices(options);
  const yoga = createGraphqlYoga(stub.services);
  const request = async (query: string, variables: Record<string, unknown> = {}, token?: string) => {
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphqlResponse;
  };
  const start = async () => {
    const result = await request('mutation { startConversation { conversationId token } }');
    return result.data!.startConversation as { conversationId: string; token: string };
  };
  return { ...stub, yoga, request, start };
}

const SEND = `mutation Send($id: ID!, $text: String, $action: String, $clientMessageId: String) {
  sendMessage(conversationId: $id, text: $text, action: $action, clientMessageId: $clientMessageId) {
    conversationId messageId state status duplicate replies { direction text buttons { id title } }
  }
}`;

const CONVERSATION = `query Conversation($id: ID!) {
  conversation(id: $id) {
    id channel user { id } state status version
    pendingWorkflow { dagId runId startedAt deadline }
    messages(last: 10) { direction text action messageId }
  }
}`;

const codes = (result: GraphqlResponse) => result.errors?.map((error) => error.extensions?.code);

describe('GraphQL over HTTP', () => {
  it('starts a web conversation with a token that grants exactly that conversation', async () => {
    const { start } = setup();
    const { conversationId, token } = await start();
    expect(conversationId).toMatch(/^web:[0-9a-f-]{36}$/);
    expect(verifyConversationToken(SESSION_SECRET, token)).toBe(conversationId);
  });

  it('sends a text through the runtime as a web message and returns the turn', async () => {
    const { start, request, received } = setup();
    const { conversationId, token } = await start();
    const result = await request(SEND, { id: conversationId, text: '  consultar estado de OT-CORR-1 ' }, token);

    expect(result.errors).toBeUndefined();
    expect(result.data!.sendMessage).toMatchObject({
      conversationId,
      state: 'workOrderStatus.waiting',
      status: 'PROCESSING',
      duplicate: false,
      replies: [{ direction: 'OUT', text: 'Procesando…', buttons: [{ id: 'cancel', title: 'Cancelar' }] }],
    });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      channel: 'web',
      conversationId,
      user: { id: conversationId.slice('web:'.length) },
      text: 'consultar estado de OT-CORR-1',
    });
    expect(received[0]!.action).toBeUndefined();
  });

  it('sends a pressed button as an action, with the client message id scoped to the conversation', async () => {
    const { start, request, received } = setup();
    const { conversationId, token } = await start();
    const result = await request(
      SEND,
      { id: conversationId, action: 'intent:list_equipment', clientMessageId: 'm-1' },
      token,
    );

    const address = conversationId.slice('web:'.length);
    expect(result.data!.sendMessage).toMatchObject({ messageId: `${address}.m-1` });
    expect(received[0]).toMatchObject({ id: `${address}.m-1`, action: 'intent:list_equipment' });
    expect(received[0]!.text).toBeUndefined();
  });

  it('rejects a message with both or neither of text and action, or a malformed client id', async () => {
    const { start, request, received } = setup();
    const { conversationId, token } = await start();
    const both = await request(SEND, { id: conversationId, text: 'hola', action: 'x' }, token);
    const neither = await request(SEND, { id: conversationId, text: '   ' }, token);
    const badId = await request(SEND, { id: conversationId, text: 'hola', clientMessageId: 'no spaces' }, token);
    expect([codes(both), codes(neither), codes(badId)]).toEqual([
      ['BAD_USER_INPUT'],
      ['BAD_USER_INPUT'],
      ['BAD_USER_INPUT'],
    ]);
    expect(received).toEqual([]);
  });

  it('refuses to send without a token, or with another conversation’s token or the admin token', async () => {
    const { start, request, received } = setup();
    const mine = await start();
    const other = await start();
    const text = { id: mine.conversationId, text: 'hola' };
    expect(codes(await request(SEND, text))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await request(SEND, text, 'forged.token'))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await request(SEND, text, other.token))).toEqual(['FORBIDDEN']);
    expect(codes(await request(SEND, text, ADMIN_TOKEN))).toEqual(['FORBIDDEN']);
    expect(received).toEqual([]);
  });

  it('refuses a token for a conversation of another channel', async () => {
    const { request } = setup();
    const whatsapp = 'whatsapp:56911112222';
    const result = await request(
      SEND,
      { id: whatsapp, text: 'hola' },
      issueConversationToken(SESSION_SECRET, whatsapp),
    );
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
  });

  it('reads the own conversation (null before its first message), and the admin reads any', async () => {
    const { start, request } = setup();
    const { conversationId, token } = await start();
    expect((await request(CONVERSATION, { id: conversationId }, token)).data).toEqual({ conversation: null });

    await request(SEND, { id: conversationId, text: 'consultar estado de OT-CORR-1', clientMessageId: 'a' }, token);
    const own = await request(CONVERSATION, { id: conversationId }, token);
    expect(own.errors).toBeUndefined();
    expect(own.data!.conversation).toEqual({
      id: conversationId,
      channel: 'web',
      user: { id: conversationId.slice(4) },
      state: 'workOrderStatus.waiting',
      status: 'PROCESSING',
      version: 1,
      pendingWorkflow: {
        dagId: 'consultar_estado_ot',
        runId: 'run-1',
        startedAt: '1970-01-01T00:00:00.000Z',
        deadline: '1970-01-01T00:02:00.000Z',
      },
      messages: [
        {
          direction: 'IN',
          text: 'consultar estado de OT-CORR-1',
          action: null,
          messageId: `${conversationId.slice(4)}.a`,
        },
        { direction: 'OUT', text: 'Procesando…', action: null, messageId: null },
      ],
    });
    const asAdmin = await request(CONVERSATION, { id: conversationId }, ADMIN_TOKEN);
    expect(asAdmin.data).toEqual(own.data);
  });

  it('hides a conversation from other tokens and from anonymous callers', async () => {
    const { start, request } = setup();
    const mine = await start();
    const other = await start();
    expect(codes(await request(CONVERSATION, { id: mine.conversationId }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await request(CONVERSATION, { id: mine.conversationId }, other.token))).toEqual(['FORBIDDEN']);
  });

  it('pages conversations for the admin only', async () => {
    const { start, request } = setup();
    const first = await start();
    const second = await start();
    await request(SEND, { id: first.conversationId, text: 'hola' }, first.token);
    await request(SEND, { id: second.conversationId, text: 'hola' }, second.token);
    const LIST =
      'query($offset: Int, $limit: Int) { conversations(offset: $offset, limit: $limit) { total offset limit items { id } } }';

    const page = await request(LIST, { offset: 0, limit: 1 }, ADMIN_TOKEN);
    expect(page.data!.conversations).toMatchObject({ total: 2, offset: 0, limit: 1 });
    expect((page.data!.conversations as { items: unknown[] }).items).toHaveLength(1);
    expect(codes(await request(LIST, {}, first.token))).toEqual(['FORBIDDEN']);
    expect(codes(await request(LIST, {}))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await request(LIST, { limit: 1000 }, ADMIN_TOKEN))).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses admin queries when ADMIN_TOKEN is not configured', async () => {
    const { request } = setup({});
    const result = await request('{ conversations { total } }', {}, 'anything');
    expect(codes(result)).toEqual(['FORBIDDEN']);
    expect(result.errors![0]!.message).toMatch(/ADMIN_TOKEN/);
  });

  it('maps runtime errors to codes and masks unexpected ones', async () => {
    const { start, request, failure } = setup();
    const { conversationId, token } = await start();
    failure.next = new RateLimitError('too many messages', 1500);
    const limited = await request(SEND, { id: conversationId, text: 'hola' }, token);
    expect(limited.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 1500 });

    failure.next = new Error('redis password is hunter2');
    const broken = await request(SEND, { id: conversationId, text: 'hola' }, token);
    expect(codes(broken)).toEqual(['INTERNAL_SERVER_ERROR']);
    expect(JSON.stringify(broken)).not.toContain('hunter2');
  });

  it('enforces alias and token limits before executing anything (depth: see limits.test.ts)', async () => {
    const { request, start } = setup();
    const { token } = await start();
    const deepest = `{ conversations { items { messages { buttons { id } } } } }`;
    expect((await request(deepest, {}, ADMIN_TOKEN)).errors).toBeUndefined();

    const nested = `{ __typename ${'a: __typename '.repeat(16)} }`;
    const aliases = await request(nested, {}, token);
    expect(aliases.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(aliases.errors![0]!.message).toMatch(/aliases/);

    const tokens = await request(`{ ${'__typename '.repeat(1200)} }`, {}, token);
    expect(tokens.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(tokens.errors![0]!.message).toMatch(/tokens/);
  });
});
