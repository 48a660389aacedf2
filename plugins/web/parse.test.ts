import { describe, expect, it } from 'vitest';
import { parseBrowserMessage, parseWebMessage } from './parse.ts';

describe('the web channel’s messages (REST and the web chat alike)', () => {
  it('scopes a client message id to the conversation, the same way for both entries', () => {
    const rest = parseWebMessage({ user_id: 'tecnico-42', message: 'hola', message_id: 'm-1' });
    const browser = parseBrowserMessage({ conversationId: 'web:~abc', text: 'hola', clientMessageId: 'm-1' });
    expect(rest).toMatchObject({ id: 'tecnico-42.m-1', conversationId: 'web:tecnico-42', channel: 'web' });
    expect(browser).toMatchObject({ id: '~abc.m-1', conversationId: 'web:~abc', channel: 'web', user: { id: '~abc' } });
    expect(rest.oneShot).toBeUndefined();
    expect(browser.oneShot).toBeUndefined();
  });

  it('makes up a random id, processed once, when the client gives none', () => {
    const rest = parseWebMessage({ user_id: 'u', message: 'hola' });
    const browser = parseBrowserMessage({ conversationId: 'web:~abc', action: 'confirm:yes' });
    expect(rest).toMatchObject({ oneShot: true });
    expect(browser).toMatchObject({ oneShot: true, action: 'confirm:yes' });
    expect(rest.id).not.toBe(browser.id);
  });

  it('applies the same limits to both entries', () => {
    const long = 'a'.repeat(4097);
    expect(() => parseWebMessage({ user_id: 'u', message: long })).toThrow(/longer than 4096/);
    expect(() => parseBrowserMessage({ conversationId: 'web:~a', text: long })).toThrow(/longer than 4096/);
    expect(() => parseWebMessage({ user_id: 'u', message: 'a\u0000b' })).toThrow(/control characters/);
    expect(() => parseBrowserMessage({ conversationId: 'web:~a', text: 'a\u0000b' })).toThrow(/control characters/);
    const action = 'x'.repeat(257);
    expect(() => parseWebMessage({ user_id: 'u', action })).toThrow(/at most 256/);
    expect(() => parseBrowserMessage({ conversationId: 'web:~a', action })).toThrow(/at most 256/);
    const id = 'm'.repeat(201);
    expect(() => parseWebMessage({ user_id: 'u', message: 'x', message_id: id })).toThrow(/longer than 200/);
    expect(() => parseBrowserMessage({ conversationId: 'web:~a', text: 'x', clientMessageId: id })).toThrow(
      /longer than 200/,
    );
    expect(() => parseBrowserMessage({ conversationId: 'web:~a', text: 'x', clientMessageId: 'no spaces' })).toThrow(
      /without spaces/,
    );
  });

  it('refuses a web chat message outside a web conversation, or with both or neither of text and action', () => {
    expect(() => parseBrowserMessage({ conversationId: 'whatsapp:569', text: 'hola' })).toThrow(
      /not a web conversation/,
    );
    expect(() => parseBrowserMessage({ conversationId: 'web:~a', text: 'hola', action: 'x' })).toThrow(/exactly one/);
    expect(() => parseBrowserMessage({ conversationId: 'web:~a', text: '  ' })).toThrow(/exactly one/);
  });
});
