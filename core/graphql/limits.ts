import {
  type ASTVisitor,
  type FragmentDefinitionNode,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { graphqlError, isGraphQLError } from './errors.ts';

export interface QueryLimits {
  /** Nesting of selection sets (fragments followed). */
  maxDepth: number;
  /**
   * Whether `__schema`, `__type`… count in the depth. Off in development, where GraphiQL's own
   * introspection query is deeper than any real one; on in production.
   */
  countIntrospection?: boolean;
  /** Aliased fields in one document. */
  maxAliases: number;
  /** Lexical tokens in one document (bounds parsing work). */
  maxTokens: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 8, maxAliases: 15, maxTokens: 1000 };

const limitError = (message: string) => graphqlError('GRAPHQL_VALIDATION_FAILED', message, { http: { status: 400 } });

export function depthLimitRule(maxDepth: number, options: { countIntrospection?: boolean } = {}) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const depthOf = (set: SelectionSetNode, visiting: Set<string>): number => {
      let deepest = 0;
      for (const selection of set.selections) {
        let depth = 0;
        if (selection.kind === Kind.FIELD) {
          if (!options.countIntrospection && selection.name.value.startsWith('__')) continue;
          depth = selection.selectionSet ? 1 + depthOf(selection.selectionSet, visiting) : 1;
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          depth = depthOf(selection.selectionSet, visiting);
        } else {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          if (!fragment || visiting.has(name)) continue; // unknown or cyclic: other rules report it
          visiting.add(name);
          depth = depthOf(fragment.selectionSet, visiting);
          visiting.delete(name);
        }
        deepest = Math.max(deepest, depth);
        if (deepest > maxDepth) return deepest;
      }
      return deepest;
    };
    return {
      OperationDefinition(node) {
        const depth = depthOf(node.selectionSet, new Set());
        if (depth > maxDepth) context.reportError(limitError(`query depth exceeds the limit of ${maxDepth}`));
      },
    };
  };
}

export function aliasLimitRule(maxAliases: number) {
  return (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    let reported = false;
    return {
      Field(node) {
        if (!node.alias) return;
        aliases += 1;
        if (aliases > maxAliases && !reported) {
          reported = true;
          context.reportError(limitError(`query uses more than ${maxAliases} aliases`));
        }
      },
    };
  };
}

/** Depth, alias and token limits on every operation, over HTTP and WebSocket alike. */
export function useQueryLimits(limits: QueryLimits = DEFAULT_QUERY_LIMITS): Plugin {
  return {
    onParse({ parseFn, setParseFn }) {
      setParseFn((source, options) => {
        try {
          return parseFn(source, { ...options, maxTokens: limits.maxTokens });
        } catch (error) {
          if (isGraphQLError(error) && /contains more th\w+ \d+ tokens/.test(error.message)) {
            throw limitError(`query exceeds the limit of ${limits.maxTokens} tokens`);
          }
          throw error;
        }
      });
    },
    onValidate({ addValidationRule }) {
      addValidationRule(depthLimitRule(limits.maxDepth, { countIntrospection: limits.countIntrospection ?? false }));
      addValidationRule(aliasLimitRule(limits.maxAliases));
    },
  };
}
