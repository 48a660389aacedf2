import { describe, expect, it } from 'vitest';
import { requiredSettings } from './config.ts';
import { ConfigError } from './errors.ts';

const VARIABLES = { token: 'DEMO_TOKEN', secret: 'DEMO_SECRET' } as const;

describe('requiredSettings', () => {
  it('takes each setting from the options first, else from its trimmed variable', () => {
    expect(
      requiredSettings('Demo', { DEMO_TOKEN: ' env-token ', DEMO_SECRET: 's' }, VARIABLES, { secret: ' opt ' }),
    ).toEqual({ token: 'env-token', secret: 'opt' });
    expect(requiredSettings('Demo', { DEMO_SECRET: 's' }, VARIABLES, { token: 't', secret: '  ' })).toEqual({
      token: 't',
      secret: 's',
    });
  });

  it("names every missing variable in order, the caller's own ones last, prefixed by the channel", () => {
    expect(() => requiredSettings('Demo', { DEMO_TOKEN: '  ' }, VARIABLES)).toThrow(
      new ConfigError('Demo channel: missing DEMO_TOKEN, DEMO_SECRET'),
    );
    expect(() =>
      requiredSettings('Demo', { DEMO_TOKEN: 't' }, VARIABLES, {}, { PUBLIC_URL: undefined, OTHER: 'set' }),
    ).toThrow(new ConfigError('Demo channel: missing DEMO_SECRET, PUBLIC_URL'));
  });
});
