import { createGraphqlYoga } from '../../../core/graphql/yoga.ts';
import type { GraphqlResult } from './clients.ts';
import { ADMIN_TOKEN, createStubServices } from './stub-services.ts';

/**
 * The GraphQL endpoint over stub services, without HTTP: `request(query, variables, token)` POSTs one
 * operation (as the admin or a conversation when a token is given) and returns its JSON answer.
 */
export function stubYoga(options: { adminToken?: string } = { adminToken: ADMIN_TOKEN }) {
  const stub = createStubServices(options);
  const yoga = createGraphqlYoga(stub.services);
  const request = async (query: string, variables: Record<string, unknown> = {}, token?: string) => {
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphqlResult;
  };
  return { ...stub, yoga, request };
}
