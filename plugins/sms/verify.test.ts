import { describe, expect, it } from 'vitest';
import { fixtureText } from '../../test/contract/fixtures.ts';
import { signedString, signTwilioRequest, urlVariants, verifyTwilioSignature } from './verify.ts';

// The worked example of Twilio's request validators (twilio-python tests/unit/test_request_validator.py).
const TOKEN = '12345';
const URL_ = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const PARAMS: [string, string][] = [
  ['CallSid', 'CA1234567890ABCDE'],
  ['Digits', '1234'],
  ['From', '+14158675309'],
  ['To', '+18005551212'],
  ['Caller', '+14158675309'],
];

describe('X-Twilio-Signature', () => {
  it("matches Twilio's documented example", () => {
    expect(signTwilioRequest(TOKEN, URL_, PARAMS)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    expect(verifyTwilioSignature(TOKEN, URL_, PARAMS, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=')).toBe(true);
  });

  it("signs a repeated parameter's values in sorted order, identical pairs once, as Twilio's validators do", () => {
    // Twilio's published example (twilio-python test_request_validator.py): Digits 5678, 1234, 1234.
    const params: [string, string][] = [
      ['Sid', 'CA123'],
      ['SidAccount', 'AC123'],
      ['Digits', '5678'],
      ['Digits', '1234'],
      ['Digits', '1234'],
    ];
    expect(signTwilioRequest(TOKEN, URL_, params)).toBe('IK+Dwps556ElfBT0I3Rgjkr1wJU=');
    expect(verifyTwilioSignature(TOKEN, URL_, params, 'IK+Dwps556ElfBT0I3Rgjkr1wJU=')).toBe(true);
    expect(signTwilioRequest(TOKEN, URL_, params.slice(0, 4))).toBe('IK+Dwps556ElfBT0I3Rgjkr1wJU=');
    expect(
      signedString('https://x.example/h', [
        ['a', '1'],
        ['a', '1'],
        ['a', '0'],
      ]),
    ).toBe('https://x.example/ha0a1');
  });

  it('signs the URL followed by name and value of each parameter sorted by name', () => {
    expect(
      signedString('https://x.example/hook', [
        ['b', '2'],
        ['a', '1'],
        ['Body', 'hola'],
      ]),
    ).toBe('https://x.example/hookBodyholaa1b2');
  });

  it('accepts the URL with or without its default port, never another port', () => {
    expect(urlVariants('https://bot.example/webhooks/sms')).toEqual([
      'https://bot.example/webhooks/sms',
      'https://bot.example:443/webhooks/sms',
    ]);
    expect(urlVariants('http://bot.example:80/a?b=1')).toEqual([
      'http://bot.example:80/a?b=1',
      'http://bot.example/a?b=1',
    ]);
    expect(urlVariants('https://bot.example:8443/a')).toEqual(['https://bot.example:8443/a']);
    // Twilio's example signed with port 443 written (twilio-python: "adds port on https").
    expect(verifyTwilioSignature(TOKEN, URL_, PARAMS, 'kvajT1Ptam85bY51eRf/AJRuM3w=')).toBe(true);
  });

  it('refuses a missing, forged or other-URL signature', () => {
    const params = [...new URLSearchParams(fixtureText('sms', 'text.txt'))];
    const url = 'https://bot.example/webhooks/sms';
    const good = signTwilioRequest('auth-token', url, params);
    expect(verifyTwilioSignature('auth-token', url, params, good)).toBe(true);
    expect(verifyTwilioSignature('auth-token', url, params, undefined)).toBe(false);
    expect(verifyTwilioSignature('other-token', url, params, good)).toBe(false);
    expect(verifyTwilioSignature('auth-token', 'https://other.example/webhooks/sms', params, good)).toBe(false);
    const tampered = params.map(([name, value]): [string, string] => [name, name === 'Body' ? 'cancelar' : value]);
    expect(verifyTwilioSignature('auth-token', url, tampered, good)).toBe(false);
  });
});
