import { describe, expect, it } from 'vitest';
import { parseForm } from './read-json.ts';

describe('parseForm', () => {
  it('keeps every value of a repeated name (a signature over all parameters needs them)', () => {
    const fields = parseForm(Buffer.from('To=%2B56911111111&MediaUrl=a&MediaUrl=b&Body=hola+t%C3%BA'));
    expect(fields.get('To')).toBe('+56911111111');
    expect(fields.get('Body')).toBe('hola tú');
    expect(fields.getAll('MediaUrl')).toEqual(['a', 'b']);
    expect(parseForm('').get('Body')).toBeNull();
  });
});
