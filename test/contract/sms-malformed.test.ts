import { readdirSync } from 'node:fs';
import type { Hono } from 'hono';
import { beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/log.ts';
import { createSmsPlugin } from '../../plugins/sms/index.ts';
import { signTwilioRequest } from '../../plugins/sms/verify.ts';
import { createFakeRuntime, type FakeRuntime } from './fake-runtime.ts';
import { fixtureText } from './fixtures.ts';
import { mountPlugin } from './plugin-host.ts';

/** Signed deliveries with odd or missing parameters: a 200 or a 400, never a 5xx, nothing thrown. */
const TOKEN = 'twilio-malformed-token';
const URL_ = 'http://127.0.0.1:5001/webhooks/sms';
const FIXTURES = readdirSync(new URL('../fixtures/sms/', import.meta.url)).filter((name) => name.endsWith('.txt'));
const ODD_VALUES = ['', ' ', 'x'.repeat(5000), '-1', '1e9', 'NaN', '%', '\u0000', '🙏🏽‍', '<Response/>', '+'];

let runtime: FakeRuntime;
let app: Hono;
const logs: Record<string, unknown>[] = [];

beforeEach(() => {
  logs.length = 0;
  const logger = createLogger('debug', {}, (line) => logs.push(JSON.parse(line)));
  const plugin = createSmsPlugin(
    { accountSid: 'AC3f9d1b2e7c4a8f6e5d0b9a1c2e3f4a5b', authToken: TOKEN, phoneNumber: '+15017122661' },
    {},
  );
  runtime = createFakeRuntime({ reply: () => null });
  ({ app } = mountPlugin(plugin, { runtime, logger }));
});

const post = (params: URLSearchParams) =>
  app.request(URL_, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signTwilioRequest(TOKEN, URL_, params),
    },
    body: params.toString(),
  });

/** Every fixture with each parameter dropped, then set to each odd value. */
function* mutations(): Generator<[string, URLSearchParams]> {
  for (const name of FIXTURES) {
    const original = new URLSearchParams(fixtureText('sms', name));
    for (const key of new Set(original.keys())) {
      const dropped = new URLSearchParams(original);
      dropped.delete(key);
      yield [`${name} without ${key}`, dropped];
      for (const value of ODD_VALUES) {
        const changed = new URLSearchParams(original);
        changed.set(key, value);
        yield [`${name} with ${key}=${JSON.stringify(value.slice(0, 12))}`, changed];
      }
    }
  }
}

describe('malformed Twilio deliveries', () => {
  it('are answered 200 or 400, never a 5xx, and nothing is logged as an error', async () => {
    let seen = 0;
    for (const [what, params] of mutations()) {
      const response = await post(params);
      await runtime.settle();
      expect([200, 400], what).toContain(response.status);
      seen++;
    }
    expect(seen).toBeGreaterThan(500);
    expect(logs.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('a huge NumMedia reads at most the media that are there', async () => {
    const params = new URLSearchParams(fixtureText('sms', 'mms.txt'));
    params.set('NumMedia', '999999999');
    expect((await post(params)).status).toBe(200);
    await runtime.settle();
    expect(runtime.received[0]?.attachments).toHaveLength(1);
  });
});
