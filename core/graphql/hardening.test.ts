import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createStubServices } from '../../test/graphql/support/stub-services.ts';
import { createGraphqlYoga } from './yoga.ts';

interface GraphqlResponse {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

function setup(production: boolean) {
  const yoga = createGraphqlYoga(createStubServices({ adminToken: ADMIN_TOKEN }).services, { production });
  const post = async (query: string, variables: Record<string, unknown> = {}) => {
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphqlResponse;
  };
  const get = (params: Record<string, string>) =>
    yoga.fetch(`http://localhost/graphql?${new URLSearchParams(params)}`, { headers: { accept: 'application/json' } });
  return { post, get };
}

const messages = (result: GraphqlResponse) => (result.errors ?? []).map((e) => e.message).join('\n');
/** 9 levels of `__type` selections: within the limit of 8 only if introspection fields are not counted. */
const DEEP_INTROSPECTION = `{ __type(name: "Query") { fields { type { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } }`;

describe('GraphQL GET with malformed JSON parameters', () => {
  it.each([
    ['variables', '{bad'],
    ['variables', '{"a":'],
    ['extensions', '{bad'],
  ])('answers 400 for %s=%s, not 500', async (name, value) => {
    const response = await setup(false).get({ query: '{ __typename }', [name]: value });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [{ message: `"${name}" must be JSON`, extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('still answers a GET with well-formed variables', async () => {
    const response = await setup(false).get({ query: '{ __typename }', variables: '{"a":1}' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('GraphQL POST form (application/x-www-form-urlencoded) with malformed JSON parameters', () => {
  const postForm = (body: string) =>
    createGraphqlYoga(createStubServices().services, { production: false }).fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'application/json' },
      body,
    });

  it.each([
    ['variables', '{bad'],
    ['extensions', '{"a":'],
  ])('answers 400 for %s=%s, not 500', async (name, value) => {
    const response = await postForm(new URLSearchParams({ query: '{ __typename }', [name]: value }).toString());
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [{ message: `"${name}" must be JSON`, extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('still answers a form POST with well-formed variables', async () => {
    const response = await postForm('query=%7B__typename%7D&variables=%7B%22a%22%3A1%7D');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('GraphQL multipart POST (the schema takes no uploads)', () => {
  it('refuses it with a 4xx, whatever its operations', async () => {
    const yoga = createGraphqlYoga(createStubServices().services, { production: false });
    for (const operations of ['{bad', JSON.stringify({ query: '{ __typename }' })]) {
      const form = new FormData();
      form.set('operations', operations);
      form.set('map', '{}');
      const response = await yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { accept: 'application/json' },
        body: form,
      });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
    }
  });
});

describe('GraphQL with NODE_ENV=production', () => {
  it('refuses introspection; __typename still works', async () => {
    const { post } = setup(true);
    expect(messages(await post('{ __schema { types { name } } }'))).toMatch(/introspection is disabled/);
    expect(messages(await post('{ __type(name: "Query") { name } }'))).toMatch(/introspection is disabled/);
    expect(await post('{ __typename }')).toEqual({ data: { __typename: 'Query' } });
  });

  it('says no "Did you mean" for a misspelt field or enum value', async () => {
    const { post } = setup(true);
    const field = await post('{ conversatio }');
    expect(messages(field)).toBe('Cannot query field "conversatio" on type "Query".');
    const value = await post('query Q($s: ConversationStatus) { conversations(status: $s) { total } }', {
      s: 'IDLEE',
    });
    expect(messages(value)).toMatch(/IDLEE/);
    expect(messages(value)).not.toMatch(/Did you mean/);
  });

  it('counts __ fields in the depth limit', async () => {
    expect(messages(await setup(true).post(DEEP_INTROSPECTION))).toMatch(/query depth exceeds the limit of 8/);
  });

  it('keeps introspection and suggestions in development (GraphiQL)', async () => {
    const { post } = setup(false);
    expect(messages(await post('{ conversatio }'))).toMatch(/Did you mean "conversation"/);
    const value = await post('query Q($s: ConversationStatus) { conversations(status: $s) { total } }', {
      s: 'IDLEE',
    });
    expect(messages(value)).toMatch(/Did you mean the enum value "IDLE"/);
    const deep = await post(DEEP_INTROSPECTION);
    expect(deep.errors).toBeUndefined();
    expect((await post('{ __schema { queryType { name } } }')).data).toEqual({
      __schema: { queryType: { name: 'Query' } },
    });
  });
});
