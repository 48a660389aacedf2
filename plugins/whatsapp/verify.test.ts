import { describe, expect, it } from 'vitest';
import { fixtureText } from '../../test/contract/fixtures.ts';
import { signWhatsAppBody, verifyHandshake, verifySignature } from './verify.ts';

describe('WhatsApp handshake', () => {
  it('echoes the challenge for subscribe with the right token', () => {
    expect(verifyHandshake({ mode: 'subscribe', token: 'tok', challenge: '1158201444' }, 'tok')).toBe('1158201444');
  });

  it('refuses a wrong token or mode', () => {
    expect(verifyHandshake({ mode: 'subscribe', token: 'nope', challenge: '1' }, 'tok')).toBeNull();
    expect(verifyHandshake({ mode: 'unsubscribe', token: 'tok', challenge: '1' }, 'tok')).toBeNull();
    expect(verifyHandshake({ mode: 'subscribe', challenge: '1' }, 'tok')).toBeNull();
  });
});

describe('X-Hub-Signature-256', () => {
  const raw = Buffer.from(fixtureText('whatsapp', 'text.json'));

  it('accepts the HMAC of the raw bytes (emoji included)', () => {
    expect(verifySignature(raw, signWhatsAppBody('app-secret', raw), 'app-secret')).toBe(true);
  });

  it('rejects a signature of the re-serialized JSON, another secret, or none', () => {
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(raw.toString())));
    expect(verifySignature(raw, signWhatsAppBody('app-secret', reserialized), 'app-secret')).toBe(false);
    expect(verifySignature(raw, signWhatsAppBody('other', raw), 'app-secret')).toBe(false);
    expect(verifySignature(raw, undefined, 'app-secret')).toBe(false);
    expect(verifySignature(raw, 'sha1=abc', 'app-secret')).toBe(false);
  });
});
