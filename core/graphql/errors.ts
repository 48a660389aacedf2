import type { GraphQLError } from 'graphql';
import { createGraphQLError, maskError as yogaMaskError } from 'graphql-yoga';
import { OmnibotError, retryAfterSeconds } from '../errors.ts';
import { asUnavailable } from '../http/unavailable.ts';

/** `extensions.code` values clients can rely on (see schema.graphql). */
export type GraphqlErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UPSTREAM_ERROR'
  | 'WORKFLOW_UNAVAILABLE'
  | 'GRAPHQL_VALIDATION_FAILED'
  | 'INTERNAL_SERVER_ERROR'
  | 'UNAVAILABLE';

const CODE_OF: Record<string, GraphqlErrorCode> = {
  store_unavailable: 'UNAVAILABLE', // Redis down or stalled: retry shortly
  unauthorized: 'UNAUTHENTICATED',
  forbidden: 'FORBIDDEN',
  invalid_request: 'BAD_USER_INPUT',
  not_found: 'NOT_FOUND',
  conflict: 'CONFLICT',
  in_progress: 'CONFLICT', // the same message is still being processed: retry for its answer
  store_conflict: 'CONFLICT',
  rate_limited: 'RATE_LIMITED',
  payload_too_large: 'PAYLOAD_TOO_LARGE',
  upstream_error: 'UPSTREAM_ERROR',
  workflow_unavailable: 'WORKFLOW_UNAVAILABLE',
};

/** Details of these codes are safe to show a client; others may name internals (upstream URLs). */
const PUBLIC_DETAILS = new Set<GraphqlErrorCode>(['BAD_USER_INPUT', 'RATE_LIMITED', 'PAYLOAD_TOO_LARGE']);

/**
 * Errors are made with yoga's `createGraphQLError` and recognised by name, not `instanceof`: graphql 16
 * ships CJS and ESM builds, and a loader may hand yoga one and this module the other.
 */
export function graphqlError(code: GraphqlErrorCode, message: string, extensions: Record<string, unknown> = {}) {
  return createGraphQLError(message, { extensions: { ...extensions, code } });
}

export function isGraphQLError(value: unknown): value is GraphQLError {
  return value instanceof Error && value.name === 'GraphQLError';
}

export const unauthenticated = (message = 'a valid token is required') => graphqlError('UNAUTHENTICATED', message);
export const forbidden = (message = 'this token does not grant access to this resource') =>
  graphqlError('FORBIDDEN', message);
export const notFound = (message: string) => graphqlError('NOT_FOUND', message);
export const badInput = (message: string, field?: string) =>
  graphqlError('BAD_USER_INPUT', message, field ? { field } : {});

/**
 * An error that says "retry later" (a store outage 503, a message still in progress 409): its
 * `retryAfterMs`, and over HTTP its status with `Retry-After` (yoga reads `extensions.http`).
 */
function retryLater(error: OmnibotError): Record<string, unknown> {
  if (error.retryAfterMs === undefined) return {};
  const seconds = retryAfterSeconds(error.retryAfterMs);
  return {
    retryAfterMs: error.retryAfterMs,
    http: { status: error.status, headers: { 'retry-after': String(seconds) } },
  };
}

/** True for an error that only says "retry later" (an outage, a busy message): not worth an error log. */
export function isRetryLater(error: unknown): boolean {
  const raw = isGraphQLError(error) ? error.originalError : error;
  return Boolean(asUnavailable(raw)) || (raw instanceof OmnibotError && raw.retryAfterMs !== undefined);
}

/**
 * Yoga's `maskError`: our own GraphQL errors pass; an `OmnibotError` (from the runtime or the store)
 * keeps its message under a mapped `extensions.code`; anything else is masked as INTERNAL_SERVER_ERROR.
 */
export function maskError(error: unknown, message: string, isDev?: boolean): Error {
  const located = isGraphQLError(error) ? error : undefined;
  const raw = located ? located.originalError : error;
  const original = asUnavailable(raw) ?? raw;
  if (original instanceof OmnibotError) {
    const code = (Object.hasOwn(CODE_OF, original.code) && CODE_OF[original.code]) || 'INTERNAL_SERVER_ERROR';
    const details = PUBLIC_DETAILS.has(code) ? (original.details ?? {}) : {};
    return createGraphQLError(code === 'INTERNAL_SERVER_ERROR' ? message : original.message, {
      nodes: located?.nodes,
      source: located?.source,
      positions: located?.positions,
      path: located?.path,
      extensions: { ...details, ...retryLater(original), code },
    });
  }
  // Our own errors (a GraphQL error carrying a code, raised by a resolver or a validation rule) pass.
  if (located && isGraphQLError(located.originalError) && located.originalError.extensions?.code) return located;
  return yogaMaskError(error, message, isDev);
}
