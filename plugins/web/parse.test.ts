import { describe, expect, it } from 'vitest';
import { parseBrowserMessage, parseWebMessage } from './parse.ts';

describe('the web channel’s messages (REST and the web chat)', () => {
  it('keeps a REST client’s id as given, and scopes a web chat id to its conversation’s address', () => {
    const rest = parseWebMessage({ user_id: 'tecnico-42', message: 'hola', message_id: 'm-1' });
    const browser = parseBrowserMessage({ conversationId: 'web:~abc', text: 'hola', clientMessageId: 'm-1' });
    expect(rest).toMatchObject({ id: 'm-1', conversationId: 'web:tecnico-42', channel: 'web' });
    expect(browser).toMatchObject({ id: '~abc.m-1', conversationId: 'web:~abc', channel: 'web', user: { id: '~abc' } });
    expect(rest.oneShot).toBeUndefined();
    expect(browser.oneShot).toBeUndefined();
    expect(parseWebMessage({ user_id: 'u', message: 'hola' }, 'key 7/ñ')).toMatchObject({ id: 'key 7/ñ' });
  });

  it('accepts any non-empty REST id up to 200 characters, spaces included (the original rule)', () => {
    expect(parseWebMessage({ user_id: 'u', message: 'x', message_id: 'pedido 17 / intento 2' }).id).toBe(
      'pedido 17 / intento 2',
    );
    expect(parseWebMessage({ user_id: 'u', message: 'x', message_id: 'm'.repeat(200) }).id).toHaveLength(200);
    expect(() => parseWebMessage({ user_id: 'u', message: 'x', message_id: 'm'.repeat(201) })).toThrow(
      'message_id is longer than 200 characters',
    );
    expect(() => parseWebMessage({ user_id: 'u', message: 'x', message_id: '' })).toThrow(
      'message_id must be a non-empty string',
    );
    expect(() => parseWebMessage({ user_id: 'u', message: 'x' }, '')).toThrow(
      'the Idempotency-Key header must be a non-empty string',
    );
  });

  it('allows a web chat id of 1-100 characters of A-Z a-z 0-9 _ . : - (the original rule)', () => {
    const send = (clientMessageId: string) =>
      parseBrowserMessage({ conversationId: 'web:~a', text: 'x', clientMessageId });
    expect(send('c1:retry_2.x-y').id).toBe('~a.c1:retry_2.x-y');
    expect(send('m'.repeat(100)).id).toBe(`~a.${'m'.repeat(100)}`);
    for (const refused of ['m'.repeat(101), 'no spaces', '', 'ñ']) {
      expect(() => send(refused)).toThrow('clientMessageId must be 1-100 characters of A-Z a-z 0-9 _ . : -');
    }
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
    expect(() => parseBrowserMessage({ conversationId: 'web:~a', text: long })).toThrow(/exceeds 4096/);
    expect(() => parseWebMessage({ user_id: 'u', message: 'a\u0000b' })).toThrow(/control characters/);
    expect(() => parseBrowserMessage({ conversationId: 'web:~a', text: 'a\u0000b' })).toThrow(/control characters/);
    const action = 'x'.repeat(257);
    expect(() => parseWebMessage({ user_id: 'u', action })).toThrow(/at most 256/);
    expect(() => parseBrowserMessage({ conversationId: 'web:~a', action })).toThrow(/exceeds 256/);
  });

  it('refuses a web chat message outside a web conversation, or with both or neither of text and action', () => {
    expect(() => parseBrowserMessage({ conversationId: 'whatsapp:569', text: 'hola' })).toThrow(
      /not a web conversation/,
    );
    expect(() => parseBrowserMessage({ conversationId: 'web:~a', text: 'hola', action: 'x' })).toThrow(/exactly one/);
    expect(() => parseBrowserMessage({ conversationId: 'web:~a', text: '  ' })).toThrow(/exactly one/);
  });
});
