import type { ASTVisitor, ExecutionResult, GraphQLError, ValidationContext } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { graphqlError, isGraphQLError } from './errors.ts';

/**
 * GraphQL GET parameters that are JSON (`variables`, `extensions`): malformed JSON is the client's
 * mistake, 400 with the reason (yoga's own parser lets the SyntaxError through as a 500).
 */
export function useStrictGetParameters(): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== 'GET') return;
      for (const name of ['variables', 'extensions']) {
        const value = url.searchParams.get(name);
        if (value === null || value === '') continue;
        try {
          JSON.parse(value);
        } catch {
          const message = `"${name}" must be JSON`;
          endResponse(
            new fetchAPI.Response(JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] }), {
              status: 400,
              headers: { 'content-type': 'application/json; charset=utf-8' },
            }),
          );
          return;
        }
      }
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
