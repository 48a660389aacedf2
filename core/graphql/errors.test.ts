import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createStubServices } from '../../test/graphql/support/stub-services.ts';
import { InProgressError, UnavailableError } from '../errors.ts';
import { createLogger } from '../log.ts';
import { createGraphqlYoga } from './yoga.ts';

/** A query answered by a runtime that fails with `error`, and the log levels written meanwhile. */
async function readFailingWith(error: Error) {
  const { services } = createStubServices({ adminToken: ADMIN_TOKEN });
  const lines: string[] = [];
  const runtime = {
    ...services.runtime,
    getConversation: async () => {
      throw error;
    },
  };
  const logger = createLogger('debug', {}, (line) => lines.push(line));
  const yoga = createGraphqlYoga({ ...services, runtime, logger }, { production: false });
  const response = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify({ query: '{ conversation(id: "c1") { id } }' }),
  });
  const body = (await response.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
  const levels = lines.map((line) => (JSON.parse(line) as { level: unknown }).level);
  return { response, body, levels };
}

describe('GraphQL errors that say "retry later"', () => {
  it('answers a store outage with HTTP 503, Retry-After and UNAVAILABLE, logged as a warning', async () => {
    const { response, body, levels } = await readFailingWith(
      new UnavailableError('store_unavailable', 'the conversation store is not reachable right now', 2_500),
    );
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(body.errors[0]?.extensions).toEqual({ code: 'UNAVAILABLE', retryAfterMs: 2_500 });
    expect(levels).not.toContain('error');
    expect(levels).toContain('warn');
  });

  it('answers a message still being processed with HTTP 409, Retry-After and CONFLICT', async () => {
    const { response, body } = await readFailingWith(new InProgressError('still being processed', 1_000));
    expect(response.status).toBe(409);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(body.errors[0]?.extensions).toEqual({ code: 'CONFLICT', retryAfterMs: 1_000 });
  });

  it('still answers an unexpected failure with INTERNAL_SERVER_ERROR and no Retry-After', async () => {
    const { response, body, levels } = await readFailingWith(new Error('boom'));
    expect(response.headers.get('retry-after')).toBeNull();
    expect(body.errors[0]?.extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect(levels).toContain('error');
  });
});
