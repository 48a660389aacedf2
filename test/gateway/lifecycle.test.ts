import { get } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { startGateway } from '../../app/gateway.ts';
import { spawnGateway } from '../support/gateway-process.ts';
import { startHeldCmms } from '../support/held-cmms.ts';
import { freePort, startOwnRedis } from '../support/own-redis.ts';
import { webClient } from '../support/web-client.ts';

const cmms = await startHeldCmms();
afterAll(() => cmms.close());

/** A fresh connection (no keep-alive pool): resolves with the status, or the connection error's code. */
function freshGet(url: string): Promise<number | string> {
  return new Promise((resolve) => {
    const request = get(url, { agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

const post = (url: string, body: unknown) =>
  fetch(`${url}/api/bot/message`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    // Only a hang detector: every answer here comes at once.
    signal: AbortSignal.timeout(15_000),
  });

describe('gateway start-up', () => {
  it('answers 503 with Retry-After while it starts (its Redis paused), then serves', async () => {
    const redis = await startOwnRedis();
    redis.pause();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const starting = startGateway(
      { LOG_LEVEL: 'silent', IDENTITY_REQUIRED: 'none', REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '200' },
      { port, host: '127.0.0.1' },
    );
    starting.catch(() => {});
    try {
      // The port is bound early (a refused connection only means "not yet").
      let refused: Response | undefined;
      for (let i = 0; i < 100 && !refused; i++) {
        refused = await post(url, { user_id: 'early', message: 'hola' }).catch(async () => {
          await new Promise((resolve) => setTimeout(resolve, 50));
          return undefined;
        });
      }
      expect(refused?.status).toBe(503);
      expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused?.headers.get('x-content-type-options')).toBe('nosniff');
      expect((await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(15_000) })).status).toBe(503);
      expect((await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(15_000) })).status).toBe(200);

      redis.resume();
      const gateway = await starting;
      try {
        const answer = await webClient(gateway.url).send('early', 'hola');
        expect(answer.replies[0]?.text).toMatch(/Hola/);
      } finally {
        await gateway.stop();
      }
    } finally {
      redis.resume();
      await redis.kill();
    }
  });
});

describe('gateway shutdown (SIGTERM)', () => {
  it('refuses new connections at once, finishes the turn in flight and exits 0', async () => {
    // Held from the start: the gateway's start-up read of the equipment catalog waits too, so the
    // turn's own lookup below reaches the CMMS (the client's cache is still empty).
    const equipmentLookup = cmms.hold(/equipos/);
    const gateway = await spawnGateway({ ...cmms.env, IDENTITY_REQUIRED: 'none', SHUTDOWN_GRACE_MS: '10000' });
    const client = webClient(gateway.url);
    await client.send('in-flight', 'reportar falla');
    const pending = client.send('in-flight', 'CAT-001');
    await equipmentLookup.arrivals(2); // the start-up read, then the turn's lookup: the turn is in flight

    gateway.child.kill('SIGTERM');
    await gateway.waitForLog('shutting down');
    expect(await freshGet(`${gateway.url}/healthz`)).toBe('ECONNREFUSED');

    equipmentLookup.release();
    const answer = await pending;
    expect(answer.replies[0]?.text).toMatch(/Describe|describe|falla|problema/);
    expect(await gateway.exited).toBe(0);
    expect(gateway.logs.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
  });

  it('exits within SHUTDOWN_GRACE_MS while a workflow hangs on the CMMS', async () => {
    const gateway = await spawnGateway({ ...cmms.env, IDENTITY_REQUIRED: 'none', SHUTDOWN_GRACE_MS: '1000' });
    const client = webClient(gateway.url);
    await client.send('hung-workflow', 'reportar falla');
    await client.send('hung-workflow', 'CAT-001');
    await client.send('hung-workflow', 'Fuga de aceite en el cilindro');
    await client.send('hung-workflow', '3');
    const createOrder = cmms.hold(/ordenes-trabajo/);
    try {
      const confirmed = await client.send('hung-workflow', 'si');
      expect(confirmed.status).toBe('processing');
      await createOrder.arrived; // the workflow waits on the CMMS, which never answers

      gateway.child.kill('SIGTERM');
      // Before, the shutdown waited for the workflow (the CMMS client's timeouts and retries: > 30 s).
      expect(await gateway.exited).toBe(0);
      expect(gateway.logs.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
    } finally {
      createOrder.release();
    }
  }, 25_000);
});
