import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../app/gateway.ts';
import type { WorkflowRunner } from '../../core/workflows/types.ts';
import { spawnGateway } from '../support/gateway-process.ts';
import { clearPrefix, REDIS_URL, uniquePrefix } from '../support/redis.ts';
import { type WebAnswer, webClient } from '../support/web-client.ts';

const prefixes: string[] = [];
const gateways: Gateway[] = [];
afterAll(async () => {
  for (const gateway of gateways) await gateway.stop();
  for (const prefix of prefixes) await clearPrefix(prefix);
});

const post = (url: string, body: Record<string, unknown>) =>
  fetch(`${url}/api/bot/message`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('POST /api/bot/message retried while its first attempt runs', () => {
  it('answers 409 with Retry-After (never 200 without replies), then the real answer', async () => {
    const gateway = await startGateway(
      // The retry waits out one lease (DUPLICATE_WAIT_MS > CLAIM_LEASE_MS) while the holder's heartbeat keeps it.
      { LOG_LEVEL: 'silent', IDENTITY_REQUIRED: 'none', CLAIM_LEASE_MS: '2000', DUPLICATE_WAIT_MS: '2500' },
      { port: 0, host: '127.0.0.1' },
    );
    gateways.push(gateway);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const started = new Promise<void>((resolve) => (entered = resolve));
    (gateway.runner as WorkflowRunner).trigger = async () => {
      entered();
      await held; // the workflow start is slow: the first attempt is alive and busy
    };
    const body = { user_id: 'retry-409', message: 'estado OT-CORR-1', message_id: 'm-409' };
    const first = post(gateway.url, body);
    await started;

    const early = await post(gateway.url, body);
    expect(early.status).toBe(409);
    expect(Number(early.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await early.json()).toMatchObject({ error: 'in_progress' });

    release();
    const answer = (await (await first).json()) as WebAnswer;
    expect(answer.replies[0]?.text).toMatch(/Procesando/);
    const later = await post(gateway.url, body);
    expect(later.status).toBe(200);
    expect(await later.json()).toMatchObject({ duplicate: true, replies: answer.replies, status: 'processing' });
  });
});

describe('web user ids that extend another user’s id (":")', () => {
  it('cannot break or read the other conversation (real Redis)', async () => {
    const prefix = uniquePrefix('key-injection');
    prefixes.push(prefix);
    const gateway = await startGateway(
      { LOG_LEVEL: 'silent', IDENTITY_REQUIRED: 'none', REDIS_URL, REDIS_KEY_PREFIX: prefix },
      { port: 0, host: '127.0.0.1' },
    );
    gateways.push(gateway);
    const client = webClient(gateway.url);
    const victim = await client.send('victima', 'hola');
    for (const suffix of ['events', 'transcript', 'x', 'events:events']) {
      const intruder = await client.send(`victima:${suffix}`, 'hola', { message_id: `m-${suffix}` });
      expect(intruder.conversation_id).toBe(`web:victima:${suffix}`);
    }
    // The same message id split differently between two users: two messages, two answers.
    const mine = await client.send('victima', 'ayuda', { message_id: 'x:m1' });
    const theirs = await client.send('victima:x', 'hola', { message_id: 'm1' });
    expect(mine.duplicate).toBeUndefined();
    expect(theirs.duplicate).toBeUndefined();
    expect(theirs.replies[0]?.text).toMatch(/Hola/);

    const later = await client.send('victima', 'reportar falla');
    expect(later.replies[0]?.text).toMatch(/Vamos a reportar una falla/);
    const { messages } = await client.messages(victim.conversation_id, victim.conversation_token);
    expect(messages.filter((m) => m.direction === 'in').map((m) => m.text)).toEqual([
      'hola',
      'ayuda',
      'reportar falla',
    ]);
  });
});

describe('two gateway processes on one Redis', () => {
  it('processes a message on the other process after the one holding it is killed mid-turn (kill -9)', async () => {
    const prefix = uniquePrefix('kill-claims');
    prefixes.push(prefix);
    // A CMMS that never answers: the turn that looks the equipment up is stuck in it until the kill.
    const lookups: IncomingMessage[] = [];
    let lookedUp!: () => void;
    const lookupStarted = new Promise<void>((resolve) => (lookedUp = resolve));
    const hanging = createServer((request) => {
      lookups.push(request);
      lookedUp();
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const shared = {
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      SESSION_SECRET: 'kill-claims-secret',
      CLAIM_LEASE_MS: '1000',
      IDENTITY_REQUIRED: 'none',
    };
    let doomed: Awaited<ReturnType<typeof spawnGateway>>;
    try {
      doomed = await spawnGateway({
        ...shared,
        CMMS_URL: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`,
        CMMS_TOKEN: 'token',
      });
    } catch (error) {
      hanging.close();
      throw error;
    }
    // The other process: this test's own, on the same Redis.
    const survivor = await startGateway(
      { ...shared, LOG_LEVEL: 'silent', DUPLICATE_WAIT_MS: '15000' },
      { port: 0, host: '127.0.0.1' },
    );
    gateways.push(survivor);
    try {
      await webClient(survivor.url).send('kill-user', 'reportar falla');
      const body = { user_id: 'kill-user', message: 'CAT-001', message_id: 'm-kill' };
      const lost = post(doomed.url, body).catch((error: unknown) => error);
      await lookupStarted;
      doomed.child.kill('SIGKILL');
      await doomed.exited;
      expect(await lost).toBeInstanceOf(Error); // the client saw the connection die and retries

      const retry = await post(survivor.url, body);
      expect(retry.status).toBe(200);
      const answer = (await retry.json()) as WebAnswer;
      expect(answer.duplicate).toBeUndefined();
      expect(answer.replies[0]?.text).toMatch(/Describe la falla/);
      expect(answer.state).toBe('reporting.description');
    } finally {
      if (doomed.child.exitCode === null) doomed.child.kill('SIGKILL');
      for (const request of lookups) request.socket.destroy();
      await new Promise((resolve) => hanging.close(resolve));
    }
  }, 60_000);
});
