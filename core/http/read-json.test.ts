import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, parseForm, parseJsonText } from './read-json.ts';

describe('parseForm', () => {
  it('keeps every value of a repeated name (a signature over all parameters needs them)', () => {
    const fields = parseForm(Buffer.from('To=%2B56911111111&MediaUrl=a&MediaUrl=b&Body=hola+t%C3%BA'));
    expect(fields.get('To')).toBe('+56911111111');
    expect(fields.get('Body')).toBe('hola tú');
    expect(fields.getAll('MediaUrl')).toEqual(['a', 'b']);
    expect(parseForm('').get('Body')).toBeNull();
  });
});

describe('parseJsonText', () => {
  it('refuses a body nested deeper than MAX_JSON_DEPTH, whatever the braces in its strings', () => {
    const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    expect(parseJsonText(nested(MAX_JSON_DEPTH))).toMatchObject({ ok: true });
    expect(parseJsonText(nested(MAX_JSON_DEPTH + 1))).toEqual({
      ok: false,
      reason: `body nests deeper than ${MAX_JSON_DEPTH} levels`,
    });
    const braces = JSON.stringify({ text: '{['.repeat(100), list: [[1], { a: [2] }] });
    expect(parseJsonText(braces)).toEqual({ ok: true, value: JSON.parse(braces) });
    expect(parseJsonText('{"a":')).toEqual({ ok: false, reason: 'body is not valid JSON' });
  });
});
