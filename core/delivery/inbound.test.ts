import { describe, expect, it } from 'vitest';
import { createFakeRuntime } from '../../test/contract/fake-runtime.ts';
import { InProgressError } from '../errors.ts';
import { createLogger } from '../log.ts';
import type { InboundMessage } from '../types.ts';
import { INBOUND_RETRY_DELAYS_MS, receiveInBackground, storeAccepting } from './inbound.ts';

const message: InboundMessage = {
  id: 'm1',
  channel: 'chat',
  conversationId: 'chat:1',
  user: { id: '1' },
  text: 'hola',
  receivedAt: new Date(0).toISOString(),
};

function recorder() {
  const logs: Record<string, unknown>[] = [];
  return { logs, logger: createLogger('debug', {}, (line) => logs.push(JSON.parse(line))) };
}

describe('receiveInBackground', () => {
  it('keeps retrying through a store outage of about 30 s by default', () => {
    const total = INBOUND_RETRY_DELAYS_MS.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(25_000);
    expect(total).toBeLessThanOrEqual(30_000);
    expect(Math.max(...INBOUND_RETRY_DELAYS_MS)).toBeLessThanOrEqual(8_000);
  });

  it('processes a message once the store is back, after many failures', async () => {
    let failures = 6;
    const runtime = createFakeRuntime({ reply: () => null, fail: () => failures-- > 0 });
    const { logs, logger } = recorder();
    await receiveInBackground(runtime, [message], logger, { delaysMs: [1, 1, 1, 1, 1, 1, 1, 1] });
    expect(runtime.received.map((m) => m.id)).toEqual(['m1']);
    expect(logs.filter((l) => l.msg === 'inbound message failed: retrying')).toHaveLength(6);
  });

  it('keeps asking while another attempt holds the message (409 in progress), however long, until it is answered', async () => {
    const fake = createFakeRuntime({ reply: () => null });
    let busy = 12; // more than INBOUND_RETRY_DELAYS_MS would allow for failures
    const runtime = {
      ...fake,
      receive: async (m: InboundMessage) => {
        if (busy-- > 0) throw new InProgressError('still being processed', 1);
        return fake.receive(m);
      },
    };
    const { logs, logger } = recorder();
    await receiveInBackground(runtime, [message], logger, { delaysMs: [] });
    expect(fake.received.map((m) => m.id)).toEqual(['m1']);
    expect(logs.filter((l) => l.msg === 'inbound message could not be processed')).toEqual([]);
  });

  it('stops retrying on shutdown, logging the message as not processed', async () => {
    const runtime = createFakeRuntime({ reply: () => null, fail: () => true });
    const { logs, logger } = recorder();
    const shutdown = new AbortController();
    const done = receiveInBackground(runtime, [message], logger, { signal: shutdown.signal });
    shutdown.abort();
    await done;
    expect(runtime.received).toEqual([]);
    expect(logs.find((l) => l.msg === 'inbound message could not be processed')).toMatchObject({
      messageId: 'm1',
      shuttingDown: true,
    });
  });
  it('on shutdown during a retry wait, tries the message once more and processes it', async () => {
    let failures = 1;
    const runtime = createFakeRuntime({ reply: () => null, fail: () => failures-- > 0 });
    const { logs, logger } = recorder();
    const shutdown = new AbortController();
    const done = receiveInBackground(runtime, [message], logger, { delaysMs: [60_000], signal: shutdown.signal });
    await until(() => logs.some((l) => l.msg === 'inbound message failed: retrying'));
    const started = Date.now();
    shutdown.abort();
    await done;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(runtime.received.map((m) => m.id)).toEqual(['m1']);
    expect(logs.filter((l) => l.msg === 'inbound message could not be processed')).toEqual([]);
  });

  it('on shutdown during a 409 in-progress wait, asks once more and processes the message', async () => {
    const fake = createFakeRuntime({ reply: () => null });
    let calls = 0;
    const runtime = {
      ...fake,
      receive: async (m: InboundMessage) => {
        if (++calls === 1) throw new InProgressError('still being processed', 60_000);
        return fake.receive(m);
      },
    };
    const { logs, logger } = recorder();
    const shutdown = new AbortController();
    const done = receiveInBackground(runtime, [message], logger, { signal: shutdown.signal });
    await until(() => logs.some((l) => l.msg === 'inbound message held by another attempt: waiting for it'));
    shutdown.abort();
    await done;
    expect(calls).toBe(2);
    expect(fake.received.map((m) => m.id)).toEqual(['m1']);
    expect(logs.filter((l) => l.msg === 'inbound message could not be processed')).toEqual([]);
  });

  it('gives the message up on shutdown only when the last attempt fails too, counting its attempts', async () => {
    const runtime = createFakeRuntime({ reply: () => null, fail: () => true });
    const { logs, logger } = recorder();
    const shutdown = new AbortController();
    const done = receiveInBackground(runtime, [message], logger, { delaysMs: [60_000], signal: shutdown.signal });
    await until(() => logs.some((l) => l.msg === 'inbound message failed: retrying'));
    shutdown.abort();
    await done;
    expect(logs.find((l) => l.msg === 'inbound message failed: retrying')).toMatchObject({ attempt: 1 });
    expect(logs.find((l) => l.msg === 'inbound message could not be processed')).toMatchObject({
      messageId: 'm1',
      attempt: 2,
      shuttingDown: true,
    });
  });
});

/** Resolves once `condition` holds (polled every millisecond). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 1));
}

describe('storeAccepting', () => {
  it('is false while the store fails and true once it answers', async () => {
    let down = true;
    const runtime = createFakeRuntime({ unavailable: () => down });
    const { logger } = recorder();
    expect(await storeAccepting(runtime, 'chat:1', logger)).toBe(false);
    down = false;
    expect(await storeAccepting(runtime, 'chat:1', logger)).toBe(true);
  });
});
