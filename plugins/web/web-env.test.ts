import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.ts';
import { webChannel, webEnv } from './index.ts';

describe('WEB_REST', () => {
  it('is on by default and reads on/off, 1/0, true/false, yes/no in any case', () => {
    expect(webEnv({}).rest).toBe(true);
    for (const on of ['on', 'ON', '1', 'true', 'True', 'yes', ' Yes '])
      expect(webEnv({ WEB_REST: on }).rest).toBe(true);
    for (const off of ['off', 'Off', '0', 'false', 'FALSE', 'no', 'NO']) {
      expect(webEnv({ WEB_REST: off }).rest).toBe(false);
    }
  });

  it('refuses any other value, naming WEB_REST, instead of silently keeping the REST API on', () => {
    for (const value of ['disabled', 'enable', '2', 'nope', 'constructor']) {
      expect(() => webEnv({ WEB_REST: value })).toThrow(ConfigError);
      expect(() => webChannel.fromEnv({ WEB_REST: value })).toThrow(
        `WEB_REST must be on or off (also 1/0, true/false, yes/no), got "${value}"`,
      );
    }
  });
});
