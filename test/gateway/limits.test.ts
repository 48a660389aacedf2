import { afterAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../app/gateway.ts';
import { ConfigError } from '../../core/errors.ts';
import { createLogger } from '../../core/log.ts';
import { webChannel, webEnv } from '../../plugins/web/index.ts';
import { postGraphql, SEND, START } from '../graphql/support/clients.ts';
import { clearPrefix, REDIS_URL, uniquePrefix } from '../support/redis.ts';

const started: Gateway[] = [];
const prefixes: string[] = [];
afterAll(async () => {
  for (const gateway of started) await gateway.stop();
  for (const prefix of prefixes) await clearPrefix(prefix);
});

async function gatewayWith(env: Record<string, string>, lines: string[] = []): Promise<Gateway> {
  const logger = createLogger('info', {}, (line) => lines.push(line));
  const gateway = await startGateway(
    { LOG_LEVEL: 'silent', IDENTITY_REQUIRED: 'none', ...env },
    { port: 0, host: '127.0.0.1', logger },
  );
  started.push(gateway);
  return gateway;
}

function redisEnv(prefix = uniquePrefix('limits')): Record<string, string> {
  prefixes.push(prefix);
  return { REDIS_URL, REDIS_KEY_PREFIX: prefix };
}

const post = (gateway: Gateway, userId: string, message = 'hola') =>
  fetch(`${gateway.url}/api/bot/message`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user_id: userId, message }),
  });

const statuses = async (responses: Promise<Response>[]) => (await Promise.all(responses)).map((r) => r.status);

describe('the REST API is not open to impersonation in production', () => {
  it('refuses to start in production without WEB_API_KEY, unless REST is off', async () => {
    expect(() => webChannel.fromEnv({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => webChannel.fromEnv({ NODE_ENV: 'production' })).toThrow(/WEB_API_KEY/);
    expect(webEnv({ NODE_ENV: 'production', WEB_API_KEY: 'backend-key' }).rest).toBe(true);
    expect(webEnv({ NODE_ENV: 'production', WEB_REST: 'off' }).rest).toBe(false);
    expect(webEnv({}).rest).toBe(true); // development keeps the seed's open API
    // The gateway itself: refused before its port is bound.
    let listening = false;
    const starting = startGateway(
      { NODE_ENV: 'production', LOG_LEVEL: 'silent', IDENTITY_REQUIRED: 'none' },
      {
        port: 0,
        host: '127.0.0.1',
        onListening: () => {
          listening = true;
        },
      },
    );
    await expect(starting).rejects.toThrow(
      'WEB_API_KEY is required in production while the REST API is on (anyone could post as any user_id): set it, or WEB_REST=off',
    );
    expect(listening).toBe(false);
  });

  it('warns at start while REST is open, and not once WEB_API_KEY is set', async () => {
    const open: string[] = [];
    await gatewayWith({}, open);
    expect(open.some((line) => JSON.parse(line).level === 'warn' && /REST API is open/.test(line))).toBe(true);
    const keyed: string[] = [];
    await gatewayWith({ WEB_API_KEY: 'backend-key' }, keyed);
    expect(keyed.some((line) => /REST API is open/.test(line))).toBe(false);
  });

  it('serves no REST API with WEB_REST=off; the web chat still works', async () => {
    const gateway = await gatewayWith({ WEB_REST: 'off' });
    expect((await post(gateway, 'ana')).status).toBe(404);
    const started = await postGraphql<{ startConversation: { conversationId: string } }>(gateway.url, START);
    expect(started.data?.startConversation.conversationId).toMatch(/^web:~/);
  });

  it('keeps browser conversations out of reach of any REST user_id', async () => {
    const gateway = await gatewayWith({});
    const started = await postGraphql<{ startConversation: { conversationId: string } }>(gateway.url, START);
    const browserId = started.data!.startConversation.conversationId;
    const address = browserId.slice('web:'.length);
    // The browser conversation's own address is not a valid user_id …
    expect((await post(gateway, address)).status).toBe(400);
    // … and the address without its namespace mark names another conversation.
    const answer = await post(gateway, address.replace(/^~/, ''));
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { conversation_id: string }).conversation_id).not.toBe(browserId);
  });
});

describe('REST rate limits', () => {
  it('answers 429 with Retry-After past the per-address budget', async () => {
    const gateway = await gatewayWith({ RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '5' });
    const first = await statuses(Array.from({ length: 5 }, (_, i) => post(gateway, `addr-${i}`)));
    expect(first).toEqual([200, 200, 200, 200, 200]);
    const refused = await post(gateway, 'addr-new');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as { error: string }).error).toBe('rate_limited');
  });

  it('limits one user_id per minute without touching other users', async () => {
    const gateway = await gatewayWith({ RATE_LIMIT_PER_CONVERSATION_PER_MINUTE: '3' });
    for (let i = 0; i < 3; i++) expect((await post(gateway, 'chatty')).status).toBe(200);
    const refused = await post(gateway, 'chatty');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeTruthy();
    expect((await post(gateway, 'quiet')).status).toBe(200);
  });

  it('does not count the backend that holds WEB_API_KEY per address (it speaks for all its users)', async () => {
    const gateway = await gatewayWith({ WEB_API_KEY: 'backend-key', RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '2' });
    const send = (userId: string) =>
      fetch(`${gateway.url}/api/bot/message`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'backend-key' },
        body: JSON.stringify({ user_id: userId, message: 'hola' }),
      });
    expect(await statuses([send('b1'), send('b2'), send('b3'), send('b4')])).toEqual([200, 200, 200, 200]);
  });

  it('answers a retried message id from the store even past the budget, and then refuses new ones', async () => {
    const gateway = await gatewayWith({ ...redisEnv(), RATE_LIMIT_PER_CONVERSATION_PER_MINUTE: '2' });
    const send = (messageId: string, message: string) =>
      fetch(`${gateway.url}/api/bot/message`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user_id: 'retrying', message, message_id: messageId }),
      });
    expect((await send('m1', 'hola')).status).toBe(200);
    const first = (await (await send('m2', 'ayuda')).json()) as { replies: { text: string }[] };
    for (let i = 0; i < 5; i++) {
      const retried = await send('m2', 'ayuda');
      expect(retried.status).toBe(200);
      expect(await retried.json()).toMatchObject({ replies: first.replies, duplicate: true });
    }
    const refused = await send('m3', 'gracias');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeTruthy();
  });

  it('shares the budget across processes through Redis', async () => {
    const env = { ...redisEnv(), RATE_LIMIT_PER_CONVERSATION_PER_MINUTE: '4' };
    const a = await gatewayWith(env);
    const b = await gatewayWith(env);
    for (const gateway of [a, b, a, b]) expect((await post(gateway, 'roaming')).status).toBe(200);
    expect((await post(a, 'roaming')).status).toBe(429);
    expect((await post(b, 'roaming')).status).toBe(429);
  });
});

describe('what one message can make the store keep', () => {
  it('refuses control characters (6 bytes each once stored as JSON) over REST and GraphQL', async () => {
    const gateway = await gatewayWith({});
    const refused = await post(gateway, 'controls', `hola${'\u0001'.repeat(10)}`);
    expect(refused.status).toBe(400);
    expect((await post(gateway, 'controls', 'hola\nqué tal')).status).toBe(200);
    const started = await postGraphql<{ startConversation: { conversationId: string; token: string } }>(
      gateway.url,
      START,
    );
    const { conversationId, token } = started.data!.startConversation;
    const sent = await postGraphql(gateway.url, SEND, { id: conversationId, text: 'a\u0000b' }, token);
    expect(sent.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('conversation tokens with Redis and no SESSION_SECRET', () => {
  it('stay valid across a restart and on every process (the secret is kept in Redis)', async () => {
    const env = redisEnv();
    const first = await gatewayWith(env);
    const answer = (await (await post(first, 'returning')).json()) as {
      conversation_id: string;
      conversation_token: string;
    };
    await first.stop();
    started.splice(started.indexOf(first), 1);
    const second = await gatewayWith(env);
    const read = await fetch(
      `${second.url}/api/bot/conversations/${encodeURIComponent(answer.conversation_id)}/messages`,
      { headers: { authorization: `Bearer ${answer.conversation_token}` } },
    );
    expect(read.status).toBe(200);
  });
});
