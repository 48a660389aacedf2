import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issueConversationToken, verifyConversationToken } from './conversation-token.ts';

const secret = 'secreto-de-sesion';
/** The token format clients already hold: a cached token must be exactly this. */
const tokenAsSigned = (key: string, id: string) =>
  `${Buffer.from(id).toString('base64url')}.${createHmac('sha256', key).update(`conversation:${id}`).digest('base64url')}`;

describe('conversation tokens', () => {
  it('issues the same token as before for a conversation, each time, and another for another conversation', () => {
    const first = issueConversationToken(secret, 'web:ana');
    expect(first).toBe(tokenAsSigned(secret, 'web:ana'));
    expect(issueConversationToken(secret, 'web:ana')).toBe(first);
    expect(issueConversationToken(secret, 'web:beto')).toBe(tokenAsSigned(secret, 'web:beto'));
    expect(issueConversationToken(secret, 'web:beto')).not.toBe(first);
  });

  it('signs with the secret it is given: another secret, another token', () => {
    const mine = issueConversationToken(secret, 'web:ana');
    const other = issueConversationToken('otro-secreto', 'web:ana');
    expect(other).toBe(tokenAsSigned('otro-secreto', 'web:ana'));
    expect(other).not.toBe(mine);
    expect(verifyConversationToken(secret, other)).toBeNull();
    expect(verifyConversationToken('otro-secreto', other)).toBe('web:ana');
  });

  it('grants the conversation of a valid token only', () => {
    const token = issueConversationToken(secret, 'web:ana');
    expect(verifyConversationToken(secret, token)).toBe('web:ana');
    // Verified before ever being issued in this process (another process issued it).
    expect(verifyConversationToken(secret, tokenAsSigned(secret, 'web:nueva'))).toBe('web:nueva');
    const [id, mac] = token.split('.') as [string, string];
    const beto = Buffer.from('web:beto').toString('base64url');
    expect(verifyConversationToken(secret, `${beto}.${mac}`)).toBeNull();
    expect(verifyConversationToken(secret, `${id}.${mac.slice(0, -1)}`)).toBeNull();
    expect(verifyConversationToken(secret, `${id}.${mac}x`)).toBeNull();
    expect(verifyConversationToken(secret, `${id}.`)).toBeNull();
    expect(verifyConversationToken(secret, mac)).toBeNull();
    expect(verifyConversationToken(secret, '')).toBeNull();
    expect(verifyConversationToken(secret, null)).toBeNull();
  });

  it('still issues and verifies right once more conversations than it keeps ready were seen', () => {
    const ids = Array.from({ length: 12_000 }, (_, i) => `web:u${i}`);
    const tokens = ids.map((id) => issueConversationToken(secret, id));
    expect(issueConversationToken(secret, 'web:u0')).toBe(tokenAsSigned(secret, 'web:u0'));
    expect(verifyConversationToken(secret, tokens[0])).toBe('web:u0');
    expect(verifyConversationToken(secret, tokens[11_999])).toBe('web:u11999');
  });
});
