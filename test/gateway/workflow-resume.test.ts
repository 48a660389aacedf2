import { serve } from '@hono/node-server';
import { afterAll, describe, expect, it } from 'vitest';
import { createDemoCmmsApp, DEMO_CMMS_TOKEN } from '../../core/cmms/demo-server.ts';
import { type GatewayProcess, spawnGateway } from '../support/gateway-process.ts';
import { clearPrefix, REDIS_URL, uniquePrefix } from '../support/redis.ts';
import { webClient } from '../support/web-client.ts';

const prefix = uniquePrefix('resume');
afterAll(async () => {
  await clearPrefix(prefix);
});

/**
 * The demo CMMS behind a door the test controls: an order is created as the CMMS would, but the
 * answer to the first `reportar-falla` is held, so its caller can be killed while it waits.
 */
async function heldCmms() {
  const demo = createDemoCmmsApp();
  const createdOrders: { numeroot: string }[] = [];
  let signalCreated!: () => void;
  const created = new Promise<void>((resolve) => {
    signalCreated = resolve;
  });
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const server = serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: async (request) => {
      const response = await demo.fetch(request);
      if (request.method === 'POST' && new URL(request.url).pathname.endsWith('/reportar-falla/')) {
        createdOrders.push((await response.clone().json()) as { numeroot: string });
        signalCreated();
        if (createdOrders.length === 1) await released;
      }
      return response;
    },
  });
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    createdOrders,
    created,
    async close() {
      release();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('a workflow whose process dies', () => {
  it('is resumed by another process: the user gets the real order number once, and one order exists', async () => {
    const cmms = await heldCmms();
    const env = {
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      SESSION_SECRET: 'shared-session-secret',
      CMMS_URL: cmms.url,
      CMMS_TOKEN: DEMO_CMMS_TOKEN,
      WORKFLOW_POLL_INTERVAL_MS: '250',
      IDENTITY_REQUIRED: 'none',
      WORKFLOW_TIMEOUT_MS: '90000',
    };
    const processes: GatewayProcess[] = [];
    try {
      const first = await spawnGateway(env);
      processes.push(first);
      const second = await spawnGateway(env);
      processes.push(second);
      const onFirst = webClient(first.url);
      await onFirst.send('resume-user', 'reportar falla');
      await onFirst.send('resume-user', 'CAT-001');
      await onFirst.send('resume-user', 'Fuga de aceite en el cilindro del brazo');
      await onFirst.send('resume-user', '2');
      const confirmed = await onFirst.send('resume-user', 'si');
      expect(confirmed.status).toBe('processing');

      // The order exists in the CMMS; the process creating it dies before it hears the answer.
      await cmms.created;
      first.child.kill('SIGKILL');
      await first.exited;

      const onSecond = webClient(second.url);
      const answer = await onSecond.waitForReply(
        confirmed.conversation_id,
        confirmed.conversation_token,
        /Falla reportada|tardando/,
        45_000,
      );
      expect(answer).toContain(`Se creó la orden de trabajo ${cmms.createdOrders[0]!.numeroot}`);
      expect(cmms.createdOrders).toHaveLength(1);

      const { messages, status } = await onSecond.messages(confirmed.conversation_id, confirmed.conversation_token);
      expect(status).toBe('idle');
      const outbound = messages.filter((m) => m.direction === 'out').map((m) => m.text);
      expect(outbound.filter((text) => text.startsWith('Falla reportada'))).toHaveLength(1);
      expect(outbound.some((text) => text.includes('tardando'))).toBe(false);
      expect(second.logs.some((line) => line.includes('workflow run resumed'))).toBe(true);
    } finally {
      for (const gateway of processes) gateway.child.kill('SIGKILL');
      await Promise.all(processes.map((gateway) => gateway.exited));
      await cmms.close();
    }
  }, 90_000);
});
