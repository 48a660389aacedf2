import { afterAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../app/gateway.ts';
import { spawnGateway } from '../support/gateway-process.ts';
import { startOwnRedis } from '../support/own-redis.ts';
import { clearPrefix, REDIS_URL, uniquePrefix } from '../support/redis.ts';
import { webClient } from '../support/web-client.ts';

const prefix = uniquePrefix('process');
/** SIGTERM handling: lifecycle.test.ts. */
afterAll(async () => {
  await clearPrefix(prefix);
});

describe('gateway processes', () => {
  it('continues a conversation after the process is killed mid-flow (state in Redis)', async () => {
    const env = {
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      SESSION_SECRET: 'shared-session-secret',
      IDENTITY_REQUIRED: 'none',
    };
    const first = await spawnGateway(env);
    const a = webClient(first.url);
    await a.send('restart-user', 'reportar falla');
    await a.send('restart-user', 'CAT-001');
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await spawnGateway(env);
    try {
      const b = webClient(second.url);
      const description = await b.send('restart-user', 'Ruido metálico en la tornamesa al girar');
      expect(description.replies[0]?.text).toMatch(/¿Qué prioridad tiene\?/);
      await b.send('restart-user', '3');
      const done = await b.send('restart-user', 'si');
      expect(done.status).toBe('processing');
      const final = await b.waitForReply(done.conversation_id, done.conversation_token, /Falla reportada/);
      expect(final).toMatch(/OT-CORR-CAT-001-.*prioridad Alta/);
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
  });

  it('is not ready while its Redis is down, answers 503 meanwhile, and is ready again when it is back', async () => {
    const redis = await startOwnRedis();
    let gateway: Gateway | undefined;
    try {
      gateway = await startGateway(
        { LOG_LEVEL: 'silent', IDENTITY_REQUIRED: 'none', REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix },
        { port: 0, host: '127.0.0.1' },
      );
      expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);
      await redis.kill();
      const down = await fetch(`${gateway.url}/readyz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ status: 'not_ready', checks: { redis: false } });
      expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
      const refused = await fetch(`${gateway.url}/api/bot/message`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user_id: 'r', message: 'hola' }),
      });
      expect(refused.status).toBe(503);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      await redis.start();
      let ready = 0;
      for (let i = 0; i < 50 && ready !== 200; i++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        ready = (await fetch(`${gateway.url}/readyz`)).status;
      }
      expect(ready).toBe(200);
    } finally {
      await gateway?.stop();
      await redis.kill();
    }
  });
});
