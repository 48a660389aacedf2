import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { aliasLimitRule, depthLimitRule } from './limits.ts';

// A recursive type, so that depth is only bounded by the rule (omnibot's own schema is shallow).
const schema = buildSchema(`
  type Node { id: ID! child: Node }
  type Query { node: Node }
`);

const chain = (depth: number) => `${'child { '.repeat(depth - 1)}id${' }'.repeat(depth - 1)}`;
const errorsOf = (query: string) =>
  validate(schema, parse(query), [...specifiedRules, depthLimitRule(8), aliasLimitRule(3)]).map((error) => ({
    message: error.message,
    code: error.extensions.code,
  }));

describe('query limits', () => {
  it('accepts depth 8 and refuses depth 9', () => {
    expect(errorsOf(`{ node { ${chain(7)} } }`)).toEqual([]);
    expect(errorsOf(`{ node { ${chain(8)} } }`)).toEqual([
      { message: 'query depth exceeds the limit of 8', code: 'GRAPHQL_VALIDATION_FAILED' },
    ]);
  });

  it('counts depth through fragments and inline fragments', () => {
    const query = `
      { node { ...Deep } }
      fragment Deep on Node { child { ... on Node { ${chain(7)} } } }`;
    expect(errorsOf(query)).toHaveLength(1);
  });

  it('does not loop on a fragment cycle (reported by the standard rule instead)', () => {
    const query = `{ node { ...A } } fragment A on Node { child { ...B } } fragment B on Node { child { ...A } }`;
    const messages = errorsOf(query).map((error) => error.message);
    expect(messages.some((message) => /Cannot spread fragment/.test(message))).toBe(true);
  });

  it('does not count introspection fields', () => {
    const query = `{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } }`;
    expect(errorsOf(query)).toEqual([]);
  });

  it('refuses more aliases than allowed, once', () => {
    expect(errorsOf('{ a: node { id } b: node { id } c: node { id } }')).toEqual([]);
    expect(errorsOf('{ a: node { id } b: node { id } c: node { id } d: node { id } e: node { id } }')).toEqual([
      { message: 'query uses more than 3 aliases', code: 'GRAPHQL_VALIDATION_FAILED' },
    ]);
  });
});
