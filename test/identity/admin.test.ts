import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mountIdentityAdminRoutes } from '../../core/admin/identities.ts';
import { startDemoCmms } from '../../core/cmms/demo-server.ts';
import { ConflictError } from '../../core/errors.ts';
import { createGraphqlYoga } from '../../core/graphql/yoga.ts';
import { errorHandler } from '../../core/http/errors.ts';
import { cmmsLogin, createIdentityService, type IdentityServiceImpl } from '../../core/identity/index.ts';
import type { LinkedIdentity } from '../../core/identity/types.ts';
import { silentLogger } from '../../core/log.ts';
import type { TurnResult } from '../../core/runtime/types.ts';
import { webSenderTrust } from '../../plugins/web/trust.ts';
import { ADMIN_TOKEN, createStubServices } from '../graphql/support/stub-services.ts';

/** Admins list, link and unlink identities and erase personal data: REST (`/admin/...`) and GraphQL. */
let cmms: { url: string; close(): Promise<void> };
beforeAll(async () => {
  cmms = await startDemoCmms({ rateLimit: false });
});
afterAll(() => cmms.close());

const KNOWN = 'whatsapp:56922223333';
let identity: IdentityServiceImpl;
let calls: Array<{ op: string; conversationId: string; identity?: LinkedIdentity }>;

/** A runtime that knows one conversation (409 for others, as the real one). */
const fakeRuntime = () => ({
  async identityLinked(conversationId: string, who: LinkedIdentity) {
    if (conversationId !== KNOWN) throw new ConflictError('unknown conversation');
    calls.push({ op: 'linked', conversationId, identity: who });
    return {} as TurnResult;
  },
  async identityUnlinked(conversationId: string) {
    if (conversationId !== KNOWN) throw new ConflictError('unknown conversation');
    calls.push({ op: 'unlinked', conversationId });
    return {} as TurnResult;
  },
  async erase(conversationId: string) {
    calls.push({ op: 'erase', conversationId });
  },
});

beforeEach(() => {
  calls = [];
  identity = createIdentityService({
    key: 'admin-test-identity-key-0123',
    publicUrl: 'https://bot.example',
    policy: 'report',
    login: cmmsLogin({ baseUrl: cmms.url }),
    logger: silentLogger,
  });
});

describe('admin REST', () => {
  const app = (adminToken: string | null = ADMIN_TOKEN) => {
    const hono = new Hono();
    hono.onError(errorHandler(silentLogger));
    mountIdentityAdminRoutes(hono, {
      identity,
      runtime: fakeRuntime(),
      maxBodyBytes: 4096,
      ...(adminToken ? { adminToken } : {}),
    });
    return hono;
  };
  const call = (hono: Hono, method: string, path: string, body?: unknown, token: string | null = ADMIN_TOKEN) =>
    hono.request(path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('needs the admin token on every identity route', async () => {
    const hono = app();
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/admin/identities'],
      ['POST', '/admin/identities', { conversation_id: KNOWN }],
      ['DELETE', `/admin/identities/${KNOWN}`],
      ['POST', '/admin/personal-data/erase', { conversation_id: KNOWN }],
    ];
    for (const [method, path, body] of routes) {
      expect((await call(hono, method, path, body, null)).status).toBe(401);
      expect((await call(hono, method, path, body, 'wrong-token')).status).toBe(401);
      expect((await call(app(null), method, path, body)).status).toBe(403); // ADMIN_TOKEN unset
    }
    expect(calls).toEqual([]);
  });

  it('links with credentials, lists without tokens, and unlinks; the user is told', async () => {
    const hono = app();
    const linked = await call(hono, 'POST', '/admin/identities', {
      conversation_id: KNOWN,
      username: 'tecnico1',
      password: 'tecnico1',
    });
    expect(linked.status).toBe(201);
    expect(await linked.json()).toEqual({
      identity: {
        conversation_id: KNOWN,
        cmms_user_id: 10,
        username: 'tecnico1',
        full_name: 'Juan Pérez',
        role: 'Técnico',
        linked_at: expect.any(String),
        expired: false,
      },
      notified: true,
    });
    expect(calls).toMatchObject([{ op: 'linked', conversationId: KNOWN, identity: { fullName: 'Juan Pérez' } }]);

    // A conversation that has not written yet is linked all the same (nobody to tell).
    const quiet = await call(hono, 'POST', '/admin/identities', {
      conversation_id: 'sms:+1',
      username: 'operador1',
      password: 'operador1',
    });
    expect(await quiet.json()).toMatchObject({ notified: false });

    const list = await call(hono, 'GET', '/admin/identities');
    const text = await list.text();
    expect(
      JSON.parse(text)
        .identities.map((i: { conversation_id: string }) => i.conversation_id)
        .sort(),
    ).toEqual(['sms:+1', KNOWN]);
    expect(text).not.toMatch(/token|v1\./i);
    expect(text).not.toContain((await identity.tokenFor(KNOWN))!);

    const removed = await call(hono, 'DELETE', `/admin/identities/${KNOWN}`);
    expect(await removed.json()).toEqual({ conversation_id: KNOWN, unlinked: true, notified: true });
    expect(calls.at(-1)).toEqual({ op: 'unlinked', conversationId: KNOWN });
    expect((await call(hono, 'DELETE', `/admin/identities/${KNOWN}`)).status).toBe(404);
  });

  it('issues a one-time link without credentials', async () => {
    const response = await call(app(), 'POST', '/admin/identities', { conversation_id: 'telegram:9' });
    const body = await response.json();
    expect(response.status).toBe(200);
    expect(body.url).toMatch(/^https:\/\/bot\.example\/link\/[A-Za-z0-9_-]{32}$/);
    expect(await identity.peekCode(body.url.split('/').pop())).toMatchObject({ conversationId: 'telegram:9' });
  });

  it('refuses to link a conversation whose sender is not authenticated (open REST web API): 403 link_not_allowed', async () => {
    identity = createIdentityService({
      key: 'admin-test-identity-key-0123',
      publicUrl: 'https://bot.example',
      policy: 'report',
      login: cmmsLogin({ baseUrl: cmms.url }),
      logger: silentLogger,
      trusts: webSenderTrust(undefined),
    });
    const hono = app();
    for (const body of [
      { conversation_id: 'web:juan', username: 'tecnico1', password: 'tecnico1' },
      { conversation_id: 'web:juan' },
    ]) {
      const response = await call(hono, 'POST', '/admin/identities', body);
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ error: 'link_not_allowed' });
    }
    expect(await identity.list()).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('answers 400 for bad input and refused credentials', async () => {
    const hono = app();
    const bad: unknown[] = [
      {},
      { conversation_id: '' },
      { conversation_id: 'no-channel' },
      { conversation_id: KNOWN, username: 'tecnico1' },
      { conversation_id: KNOWN, username: 5, password: 'x' },
      { conversation_id: KNOWN, username: 'tecnico1', password: 'wrong' },
    ];
    for (const body of bad) expect((await call(hono, 'POST', '/admin/identities', body)).status).toBe(400);
    for (const body of [{}, { conversation_id: KNOWN, cmms_user_id: 1 }, { cmms_user_id: 'x' }, { cmms_user_id: -1 }]) {
      expect((await call(hono, 'POST', '/admin/personal-data/erase', body)).status).toBe(400);
    }
    const refused = await call(hono, 'POST', '/admin/identities', {
      conversation_id: KNOWN,
      username: 'tecnico1',
      password: 'wrong',
    });
    expect(await refused.json()).toMatchObject({ error: 'invalid_request', details: { reason: 'link_refused' } });
    expect(await identity.list()).toEqual([]);
  });

  it('erases a conversation, or every conversation of a CMMS user', async () => {
    const hono = app();
    await identity.linkWithPassword('web:a', 'supervisor1', 'supervisor1');
    await identity.linkWithPassword('telegram:b', 'supervisor1', 'supervisor1');
    await identity.linkWithPassword('web:c', 'tecnico1', 'tecnico1');

    const byUser = await call(hono, 'POST', '/admin/personal-data/erase', { cmms_user_id: 2 });
    const body = await byUser.json();
    expect(body.erased).toBe(2);
    expect(body.conversation_ids.sort()).toEqual(['telegram:b', 'web:a']);
    expect(calls.map((c) => c.conversationId).sort()).toEqual(['telegram:b', 'web:a']);
    expect((await identity.list()).map((i) => i.conversationId)).toEqual(['web:c']);

    const one = await call(hono, 'POST', '/admin/personal-data/erase', { conversation_id: 'web:c' });
    expect(await one.json()).toEqual({ erased: 1, conversation_ids: ['web:c'] });
    expect(await identity.list()).toEqual([]);
  });
});

describe('admin GraphQL', () => {
  const setup = (withIdentity = true) => {
    const stub = createStubServices({ adminToken: ADMIN_TOKEN });
    const yoga = createGraphqlYoga({
      ...stub.services,
      runtime: { ...stub.services.runtime, ...fakeRuntime() },
      ...(withIdentity ? { identity } : {}),
    });
    return async (query: string, variables: Record<string, unknown> = {}, token: string | null = ADMIN_TOKEN) => {
      const response = await yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as {
        data?: Record<string, unknown> | null;
        errors?: Array<{ message: string; extensions?: { code?: string } }>;
      };
    };
  };
  const code = (result: { errors?: Array<{ extensions?: { code?: string } }> }) => result.errors?.[0]?.extensions?.code;

  const LIST = '{ identities { conversationId cmmsUserId username fullName role linkedAt expired } }';
  const LINK = `mutation ($id: ID!, $u: String!, $p: String!) {
    linkIdentity(conversationId: $id, username: $u, password: $p) { conversationId fullName role expired }
  }`;

  it('guards every identity field: admin only', async () => {
    const gql = setup();
    const operations: Array<[string, Record<string, unknown>]> = [
      [LIST, {}],
      [LINK, { id: KNOWN, u: 'tecnico1', p: 'tecnico1' }],
      ['mutation { issueIdentityLink(conversationId: "web:1") }', {}],
      ['mutation { unlinkIdentity(conversationId: "web:1") }', {}],
      ['mutation { erasePersonalData(conversationId: "web:1") }', {}],
    ];
    for (const [query, variables] of operations) {
      expect(code(await gql(query, variables, null))).toBe('UNAUTHENTICATED');
      expect(code(await gql(query, variables, 'not-the-admin'))).toBe('UNAUTHENTICATED');
    }
    expect(await identity.list()).toEqual([]);
    expect(calls).toEqual([]);
    expect(code(await setup(false)(LIST))).toBe('FORBIDDEN'); // no identity service on this gateway
  });

  it('lists, links, issues links, unlinks and erases', async () => {
    const gql = setup();
    const linked = await gql(LINK, { id: KNOWN, u: 'tecnico1', p: 'tecnico1' });
    expect(linked.data?.linkIdentity).toEqual({
      conversationId: KNOWN,
      fullName: 'Juan Pérez',
      role: 'Técnico',
      expired: false,
    });
    expect(calls).toMatchObject([{ op: 'linked', conversationId: KNOWN }]);

    const list = await gql(LIST);
    expect(list.data?.identities).toEqual([
      {
        conversationId: KNOWN,
        cmmsUserId: 10,
        username: 'tecnico1',
        fullName: 'Juan Pérez',
        role: 'Técnico',
        linkedAt: expect.any(String),
        expired: false,
      },
    ]);

    const refused = await gql(LINK, { id: KNOWN, u: 'tecnico1', p: 'wrong' });
    expect(code(refused)).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(refused)).not.toContain('wrong');
    expect(code(await gql(LINK, { id: 'nochannel', u: 'a', p: 'b' }))).toBe('BAD_USER_INPUT');

    const issued = await gql('mutation { issueIdentityLink(conversationId: "telegram:5") }');
    expect(issued.data?.issueIdentityLink).toMatch(/^https:\/\/bot\.example\/link\/[A-Za-z0-9_-]{32}$/);

    expect((await gql(`mutation { unlinkIdentity(conversationId: "${KNOWN}") }`)).data?.unlinkIdentity).toBe(true);
    expect((await gql(`mutation { unlinkIdentity(conversationId: "${KNOWN}") }`)).data?.unlinkIdentity).toBe(false);

    await identity.linkWithPassword('web:x', 'operador1', 'operador1');
    await identity.linkWithPassword('web:y', 'operador1', 'operador1');
    expect((await gql('mutation { erasePersonalData(cmmsUserId: 3) }')).data?.erasePersonalData).toBe(2);
    expect(code(await gql('mutation { erasePersonalData }'))).toBe('BAD_USER_INPUT');
    expect(code(await gql('mutation { erasePersonalData(conversationId: "web:x", cmmsUserId: 3) }'))).toBe(
      'BAD_USER_INPUT',
    );
    expect(await identity.list()).toEqual([]);
  });
});
