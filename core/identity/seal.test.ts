import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { createLogger, silentLogger } from '../log.ts';
import { createTokenSealer, deriveSealKey, openWith, sealWith } from './seal.ts';

const KEY = 'a-long-enough-identity-key';
const TOKEN = '9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b';

describe('token sealing', () => {
  it('round-trips a token in the versioned format, differently each time', () => {
    const sealer = createTokenSealer(KEY, silentLogger);
    const a = sealer.seal(TOKEN, 'whatsapp:569');
    const b = sealer.seal(TOKEN, 'whatsapp:569');
    expect(a).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b); // a fresh IV per seal
    expect(a).not.toContain(TOKEN);
    expect(sealer.open(a, 'whatsapp:569')).toBe(TOKEN);
    expect(sealer.open(b, 'whatsapp:569')).toBe(TOKEN);
  });

  it('opens with the same IDENTITY_KEY in another process, not with another key', () => {
    const sealed = createTokenSealer(KEY, silentLogger).seal(TOKEN, 'web:1');
    expect(createTokenSealer(KEY, silentLogger).open(sealed, 'web:1')).toBe(TOKEN);
    expect(createTokenSealer(`${KEY}-other`, silentLogger).open(sealed, 'web:1')).toBeNull();
  });

  it('refuses a tampered text, another conversation and malformed input', () => {
    const key = deriveSealKey(KEY);
    const sealed = sealWith(key, TOKEN, 'telegram:42');
    const [version, iv, tag, data] = sealed.split('.') as [string, string, string, string];
    const flip = (part: string) => {
      const bytes = Buffer.from(part, 'base64url');
      bytes[0] = bytes[0]! ^ 1;
      return bytes.toString('base64url');
    };
    expect(openWith(key, [version, iv, tag, flip(data)].join('.'), 'telegram:42')).toBeNull();
    expect(openWith(key, [version, iv, flip(tag), data].join('.'), 'telegram:42')).toBeNull();
    expect(openWith(key, [version, flip(iv), tag, data].join('.'), 'telegram:42')).toBeNull();
    expect(openWith(key, ['v2', iv, tag, data].join('.'), 'telegram:42')).toBeNull();
    expect(openWith(key, sealed, 'telegram:43')).toBeNull(); // moved to another record
    for (const junk of ['', 'v1', 'v1...', 'v1.a.b.c', TOKEN]) expect(openWith(key, junk, 'telegram:42')).toBeNull();
  });

  it('refuses an IDENTITY_KEY shorter than 16 characters', () => {
    expect(() => createTokenSealer('short-key', silentLogger)).toThrow(ConfigError);
    expect(() => deriveSealKey('x'.repeat(16))).not.toThrow();
  });

  it('without IDENTITY_KEY uses a random key of the process and warns once', () => {
    const lines: string[] = [];
    const logger = createLogger('info', {}, (line) => lines.push(line));
    const sealer = createTokenSealer(undefined, logger);
    expect(sealer.persistent).toBe(false);
    expect(sealer.open(sealer.seal(TOKEN, 'sms:1'), 'sms:1')).toBe(TOKEN);
    expect(createTokenSealer(undefined, silentLogger).open(sealer.seal(TOKEN, 'sms:1'), 'sms:1')).toBeNull();
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn' });
    expect(lines[0]).toContain('IDENTITY_KEY');
  });
});
