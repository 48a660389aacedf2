import { randomUUID } from 'node:crypto';
import { connect, createServer, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { REDIS_URL } from '../../test/support/redis.ts';
import { seedRotatingConnection } from '../redis-connection.ts';
import { createRedisEventBus } from './redis-bus.ts';

/** A TCP proxy to the test Redis that can die (a cluster node going down). */
async function proxyToRedis() {
  const target = new URL(REDIS_URL);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 6379), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    kill() {
      server.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}

const until = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
};

const open: Array<{ disconnect(): void }> = [];
afterEach(() => {
  for (const connection of open.splice(0)) connection.disconnect();
});

describe('the bus subscriber on a cluster (seed rotation)', () => {
  it('leaves a dead seed node for the next one, re-subscribes there and says events may be lost', async () => {
    const node = await proxyToRedis();
    const live = { host: new URL(REDIS_URL).hostname, port: Number(new URL(REDIS_URL).port || 6379) };
    const subscriber = seedRotatingConnection([{ host: '127.0.0.1', port: node.port }, live], {
      autoResubscribe: false,
    });
    subscriber.on('error', () => {});
    const publisher = new Redis(REDIS_URL);
    open.push(subscriber, publisher);
    const bus = createRedisEventBus({ publisher, subscriber, prefix: `seeds:${randomUUID()}:` });
    const received: unknown[] = [];
    let reconnects = 0;
    bus.subscribe('topic', (payload) => received.push(payload));
    bus.onReconnect(() => reconnects++);
    await bus.ready();
    expect(subscriber.options.port).toBe(node.port);
    bus.publish('topic', { n: 1 });
    await until(() => received.length === 1, 'the first event');

    node.kill();
    await until(() => reconnects === 1, 'the reconnection signal');
    expect(subscriber.options.port).toBe(live.port);
    await bus.ready();
    bus.publish('topic', { n: 2 });
    await until(() => received.length === 2, 'the event after the move');
    expect(received).toEqual([{ n: 1 }, { n: 2 }]);
    await bus.close();
  });

  it('starts on the next seed when the first one does not answer', async () => {
    const node = await proxyToRedis();
    node.kill();
    const live = { host: new URL(REDIS_URL).hostname, port: Number(new URL(REDIS_URL).port || 6379) };
    const connection = seedRotatingConnection([{ host: '127.0.0.1', port: node.port }, live], {});
    connection.on('error', () => {});
    open.push(connection);
    expect(await connection.ping()).toBe('PONG');
    expect(connection.options.port).toBe(live.port);
  });
});
