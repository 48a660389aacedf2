import { describe, expect, it } from 'vitest';
import { errorCodes } from '../../test/graphql/support/clients.ts';
import { ADMIN_TOKEN, SESSION_SECRET } from '../../test/graphql/support/stub-services.ts';
import { stubYoga } from '../../test/graphql/support/stub-yoga.ts';
import { issueConversationToken, verifyConversationToken } from '../auth/conversation-token.ts';
import { RateLimitError } from '../errors.ts';
import type { ConversationView } from '../runtime/types.ts';
import { MAX_SCANNED } from './resolvers/query.ts';

function setup(options: { adminToken?: string } = { adminToken: ADMIN_TOKEN }) {
  const stub = stubYoga(options);
  const { request } = stub;
  const start = async () => {
    const result = await request('mutation { startConversation { conversationId token } }');
    return result.data!.startConversation as { conversationId: string; token: string };
  };
  return { ...stub, start };
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

describe('GraphQL over HTTP', () => {
  it('starts a web conversation with a token that grants exactly that conversation', async () => {
    const { start } = setup();
    const { conversationId, token } = await start();
    expect(conversationId).toMatch(/^web:~[0-9a-f-]{36}$/); // the browser namespace: no REST user_id has `~`
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
    expect([errorCodes(both), errorCodes(neither), errorCodes(badId)]).toEqual([
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
    expect(errorCodes(await request(SEND, text))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await request(SEND, text, 'forged.token'))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await request(SEND, text, other.token))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await request(SEND, text, ADMIN_TOKEN))).toEqual(['FORBIDDEN']);
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
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
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
    expect(errorCodes(await request(CONVERSATION, { id: mine.conversationId }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await request(CONVERSATION, { id: mine.conversationId }, other.token))).toEqual(['FORBIDDEN']);
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
    expect(errorCodes(await request(LIST, {}, first.token))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await request(LIST, {}))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await request(LIST, { limit: 1000 }, ADMIN_TOKEN))).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses admin queries when ADMIN_TOKEN is not configured', async () => {
    const { request } = setup({});
    const result = await request('{ conversations { total } }', {}, 'anything');
    expect(errorCodes(result)).toEqual(['FORBIDDEN']);
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
    expect(errorCodes(broken)).toEqual(['INTERNAL_SERVER_ERROR']);
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

const REPLY = `mutation Reply($id: ID!, $text: String!) {
  replyAsAgent(conversationId: $id, text: $text) { conversationId state status replies { direction text } }
}`;
const RELEASE = `mutation Release($id: ID!) {
  releaseHandoff(conversationId: $id) { conversationId state status replies { direction text } }
}`;
const BY_STATUS = `query($offset: Int, $limit: Int, $status: ConversationStatus) {
  conversations(offset: $offset, limit: $limit, status: $status) { total offset limit nextOffset items { id status } }
}`;

interface PageData {
  conversations: { total: number; nextOffset: number | null; items: { id: string; status: string }[] };
}

/** `count` conversations, the first the most recent; every `handoffEvery`-th (from the first) handed off. */
function seed(views: Map<string, ConversationView>, count: number, handoffEvery: number) {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `web:seed-${String(i).padStart(4, '0')}`;
    const at = new Date(Date.UTC(2030, 0, 1) - i * 1000).toISOString();
    views.set(id, {
      id,
      channel: 'web',
      userId: id.slice(4),
      state: i % handoffEvery === 0 ? 'handoff' : 'idle',
      status: i % handoffEvery === 0 ? 'handoff' : 'idle',
      version: 1,
      machineVersion: 1,
      createdAt: at,
      updatedAt: at,
    });
    ids.push(id);
  }
  return ids;
}

describe('GraphQL for operators (hand-off)', () => {
  it('replies and releases as the admin, through the runtime', async () => {
    const { start, request, views, agentCalls } = setup();
    const { conversationId, token } = await start();
    await request(SEND, { id: conversationId, text: 'hola' }, token);
    views.set(conversationId, { ...views.get(conversationId)!, state: 'handoff', status: 'handoff' });

    const reply = await request(REPLY, { id: conversationId, text: '  Hola, soy Ana de mantención. ' }, ADMIN_TOKEN);
    expect(reply.errors).toBeUndefined();
    expect(reply.data!.replyAsAgent).toEqual({
      conversationId,
      state: 'handoff',
      status: 'HANDOFF',
      replies: [{ direction: 'OUT', text: 'Hola, soy Ana de mantención.' }],
    });
    const released = await request(RELEASE, { id: conversationId }, ADMIN_TOKEN);
    expect(released.data!.releaseHandoff).toMatchObject({ conversationId, status: 'IDLE' });
    expect(agentCalls).toEqual([
      { op: 'reply', conversationId, text: 'Hola, soy Ana de mantención.' },
      { op: 'release', conversationId },
    ]);
  });

  it('refuses non-admins, bad texts, unknown and not handed-off conversations', async () => {
    const { start, request, agentCalls } = setup();
    const { conversationId, token } = await start();
    await request(SEND, { id: conversationId, text: 'hola' }, token);
    const text = { id: conversationId, text: 'hola' };

    expect(errorCodes(await request(REPLY, text))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await request(REPLY, text, token))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await request(RELEASE, { id: conversationId }, token))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await request(BY_STATUS, { status: 'HANDOFF' }, token))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await request(REPLY, { id: conversationId, text: '  ' }, ADMIN_TOKEN))).toEqual([
      'BAD_USER_INPUT',
    ]);
    const long = await request(REPLY, { id: conversationId, text: 'a'.repeat(4097) }, ADMIN_TOKEN);
    expect(long.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'text' });
    expect(errorCodes(await request(REPLY, { id: 'web:nobody', text: 'hola' }, ADMIN_TOKEN))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await request(RELEASE, { id: 'web:nobody' }, ADMIN_TOKEN))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await request(REPLY, text, ADMIN_TOKEN))).toEqual(['CONFLICT']);
    expect(errorCodes(await request(RELEASE, { id: conversationId }, ADMIN_TOKEN))).toEqual(['CONFLICT']);
    expect(agentCalls).toEqual([]);

    const disabled = setup({});
    expect(errorCodes(await disabled.request(RELEASE, { id: conversationId }, ADMIN_TOKEN))).toEqual(['FORBIDDEN']);
  });

  it('filters conversations by status page by page, most recent first', async () => {
    const { request, views } = setup();
    const ids = seed(views, 30, 7); // handed off: 0, 7, 14, 21, 28
    const first = await request(BY_STATUS, { status: 'HANDOFF', limit: 2 }, ADMIN_TOKEN);
    expect(first.errors).toBeUndefined();
    expect((first.data as unknown as PageData).conversations).toEqual({
      total: 30,
      offset: 0,
      limit: 2,
      nextOffset: 8,
      items: [
        { id: ids[0], status: 'HANDOFF' },
        { id: ids[7], status: 'HANDOFF' },
      ],
    });
    const rest = await request(BY_STATUS, { status: 'HANDOFF', offset: 8, limit: 10 }, ADMIN_TOKEN);
    const page = (rest.data as unknown as PageData).conversations;
    expect(page.items.map((item) => item.id)).toEqual([ids[14], ids[21], ids[28]]);
    expect(page.nextOffset).toBeNull();

    const idle = await request(BY_STATUS, { status: 'IDLE', limit: 100 }, ADMIN_TOKEN);
    expect((idle.data as unknown as PageData).conversations.items).toHaveLength(25);
    const unfiltered = await request(BY_STATUS, { limit: 20 }, ADMIN_TOKEN);
    expect((unfiltered.data as unknown as PageData).conversations).toMatchObject({ total: 30, nextOffset: 20 });
  });

  it(`reads at most ${MAX_SCANNED} conversations per filtered page`, async () => {
    const { request, views, services } = setup();
    const ids = seed(views, MAX_SCANNED + 150, MAX_SCANNED + 100); // handed off: 0 and MAX_SCANNED + 100
    let reads = 0;
    const getConversation = services.runtime.getConversation;
    services.runtime.getConversation = (id) => {
      reads += 1;
      return getConversation(id);
    };
    const first = await request(BY_STATUS, { status: 'HANDOFF', limit: 5 }, ADMIN_TOKEN);
    const firstPage = (first.data as unknown as PageData).conversations;
    expect(firstPage.items.map((item) => item.id)).toEqual([ids[0]]);
    expect(firstPage.nextOffset).toBe(MAX_SCANNED);
    expect(reads).toBe(MAX_SCANNED);

    const second = await request(BY_STATUS, { status: 'HANDOFF', offset: MAX_SCANNED, limit: 5 }, ADMIN_TOKEN);
    const secondPage = (second.data as unknown as PageData).conversations;
    expect(secondPage.items.map((item) => item.id)).toEqual([ids[MAX_SCANNED + 100]]);
    expect(secondPage.nextOffset).toBeNull();
  });
});
