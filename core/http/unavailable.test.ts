import { createServer } from 'node:net';
import { Cluster, ReplyError } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { asUnavailable, isStoreOutage } from './unavailable.ts';

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('store outages answer 503', () => {
  it('recognizes the Cluster client’s own errors when no node answers', async () => {
    const port = await closedPort();
    const noQueue = new Cluster([{ host: '127.0.0.1', port }], { enableOfflineQueue: false, lazyConnect: true });
    const notReady = await noQueue.get('k').catch((error: unknown) => error);
    expect((notReady as Error).message).toMatch(/^Cluster isn't ready/);
    expect(asUnavailable(notReady)?.status).toBe(503);

    const noNodes = new Cluster([{ host: '127.0.0.1', port }], { clusterRetryStrategy: () => null });
    noNodes.on('error', () => {});
    const none = await noNodes.get('k').catch((error: unknown) => error);
    expect((none as Error).message).toMatch(/^None of startup nodes is available/);
    expect(isStoreOutage(none)).toBe(true);
    noQueue.disconnect();
    noNodes.disconnect();
  });

  it('recognizes the cluster messages, wrapped or not, and leaves other errors alone', () => {
    for (const message of [
      'Too many Cluster redirections. Last error: Error: Connection is closed.',
      'Cluster is disconnected.',
      'Node is disconnected',
      'Failed to refresh slots cache.',
    ]) {
      expect(isStoreOutage(new Error(message)), message).toBe(true);
      expect(isStoreOutage(new Error('request failed', { cause: new Error(message) })), message).toBe(true);
    }
    expect(isStoreOutage(new ReplyError('CLUSTERDOWN The cluster is down'))).toBe(true);
    expect(isStoreOutage(new ReplyError("CROSSSLOT Keys in request don't hash to the same slot"))).toBe(false);
    expect(isStoreOutage(new Error('Cluster of equipment not found'))).toBe(false);
    expect(asUnavailable(new Error('boom'))).toBeUndefined();
  });
});
