import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../app/gateway.ts';
import { createLogger } from '../../core/log.ts';

let gateway: Gateway;
const lines: string[] = [];
const records = () => lines.map((line) => JSON.parse(line) as { level: string; msg: string });

beforeAll(async () => {
  gateway = await startGateway(
    { LOG_LEVEL: 'debug', IDENTITY_REQUIRED: 'none' },
    { port: 0, host: '127.0.0.1', logger: createLogger('debug', {}, (line) => lines.push(line)) },
  );
});
afterAll(async () => {
  await gateway.stop();
});

describe('HTTP answers', () => {
  it('carry nosniff and a referrer policy on every route: health, errors, REST, GraphQL, the web chat page', async () => {
    const json = { 'content-type': 'application/json' };
    const answers = await Promise.all([
      fetch(`${gateway.url}/healthz`),
      fetch(`${gateway.url}/readyz`),
      fetch(`${gateway.url}/no-such-route`),
      fetch(`${gateway.url}/api/bot/message`, { method: 'POST', headers: json, body: '{"user_id":' }),
      fetch(`${gateway.url}/api/bot/message`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ user_id: 'headers', message: 'hola' }),
      }),
      fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ query: '{ __typename }' }),
      }),
      fetch(`${gateway.url}/graphql?query=%7B__typename%7D&variables=%7Bbad`),
      fetch(`${gateway.url}/`),
    ]);
    for (const answer of answers) {
      expect(answer.headers.get('x-content-type-options'), answer.url).toBe('nosniff');
      expect(answer.headers.get('referrer-policy'), answer.url).toBe('no-referrer');
      await answer.arrayBuffer();
    }
  });

  it('logs a client that hangs up mid-request at debug level, not as an error', async () => {
    const socket = connect(gateway.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      'POST /api/bot/message HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"user_id":',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    for (let i = 0; i < 100 && !records().some((r) => r.msg === 'request aborted by the client'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(records().find((r) => r.msg === 'request aborted by the client')?.level).toBe('debug');
    expect(records().filter((r) => r.level === 'error')).toEqual([]);
  });
});
