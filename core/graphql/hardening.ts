import type { ASTVisitor, ExecutionResult, GraphQLError, ValidationContext } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { graphqlError, isGraphQLError } from './errors.ts';

const JSON_PARAMETERS = ['variables', 'extensions'];

const isFormRequest = (request: Request) =>
  request.method === 'POST' &&
  request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';

/** The parameters of a GET query string or a form POST body; null for other requests (JSON bodies). */
async function formParameters(request: Request, url: URL): Promise<URLSearchParams | null> {
  if (request.method === 'GET') return url.searchParams;
  if (!isFormRequest(request)) return null;
  // A clone: yoga's own parser reads the body afterwards (its size is already bounded by the route).
  return new URLSearchParams(await request.clone().text());
}

function malformedParameter(params: URLSearchParams): string | undefined {
  for (const name of JSON_PARAMETERS) {
    const value = params.get(name);
    if (value === null || value === '') continue;
    try {
      JSON.parse(value);
    } catch {
      return name;
    }
  }
  return undefined;
}

/**
 * GraphQL parameters that are JSON (`variables`, `extensions`) in a GET query string or a form POST
 * body: malformed JSON is the client's mistake, 400 with the reason (yoga's own parsers let the
 * SyntaxError through as a 500).
 */
export function useStrictJsonParameters(): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      const params = await formParameters(request, url);
      const name = params && malformedParameter(params);
      if (!name) return;
      const message = `"${name}" must be JSON`;
      endResponse(
        new fetchAPI.Response(JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] }), {
          status: 400,
          headers: { 'content-type': 'application/json; charset=utf-8' },
        }),
      );
    },
  };
}

/**
 * `__schema` and `__type` are the only ways into introspection (graphql's own rule is not used: its
 * errors would come from the other of graphql's CJS/ESM builds, see errors.ts).
 */
function noIntrospectionRule(context: ValidationContext): ASTVisitor {
  return {
    Field(node) {
      const name = node.name.value;
      if (name !== '__schema' && name !== '__type') return;
      context.reportError(
        graphqlError('GRAPHQL_VALIDATION_FAILED', `introspection is disabled: "${name}" cannot be queried`),
      );
    },
  };
}

const SUGGESTION = / ?Did you mean [^?]*\?/g;

function withoutSuggestion<E extends Error>(error: E): E | GraphQLError {
  if (!isGraphQLError(error) || !error.message.includes('Did you mean')) return error;
  return createGraphQLError(error.message.replace(SUGGESTION, ''), {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: error.extensions,
  });
}

function stripSuggestions({ result, setResult }: { result: unknown; setResult(r: ExecutionResult): void }) {
  const single = result as ExecutionResult;
  if (Array.isArray(single?.errors)) setResult({ ...single, errors: single.errors.map(withoutSuggestion) });
}

/**
 * Production: no introspection (`__schema`, `__type`) and no "Did you mean …?" in error messages, so
 * the schema cannot be read or guessed field by field. (`__typename` stays: clients rely on it.)
 */
export function useProductionHardening(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(noIntrospectionRule);
      return ({ result, setResult }) => setResult(result.map(withoutSuggestion));
    },
    // Variable coercion errors ("…does not exist in "Status" enum. Did you mean…") come from execution.
    onExecute: () => ({ onExecuteDone: stripSuggestions }),
    onSubscribe: () => ({ onSubscribeResult: stripSuggestions }),
  };
}
