import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { REDIS_URL } from '../../test/support/redis.ts';
import { silentLogger } from '../log.ts';
import { publishAll } from './bus.ts';
import { busReady, createRedisEventBus, type RedisEventBus } from './redis-bus.ts';

const opened: Redis[] = [];
const buses: RedisEventBus[] = [];

/** One process's worth of bus: its own publisher and subscriber connections. */
function makeBus(prefix: string): RedisEventBus {
  const publisher = new Redis(REDIS_URL);
  const subscriber = new Redis(REDIS_URL);
  opened.push(publisher, subscriber);
  const bus = createRedisEventBus({ publisher, subscriber, prefix });
  buses.push(bus);
  return bus;
}

/** A connection to a port nobody listens on (every command fails at once), closed after the test. */
function unreachableRedis(): Redis {
  const dead = new Redis('redis://127.0.0.1:1', {
    lazyConnect: true,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  dead.on('error', () => {});
  opened.push(dead);
  return dead;
}

function collect(bus: RedisEventBus, topic: string) {
  const received: unknown[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const unsubscribe = bus.subscribe(topic, (payload) => {
    received.push(payload);
    for (const waiter of waiters.filter((w) => received.length >= w.count)) waiter.resolve();
  });
  const until = (count: number) =>
    received.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }));
  return { received, until, unsubscribe };
}

async function subscribers(channel: string): Promise<number> {
  const admin = new Redis(REDIS_URL);
  opened.push(admin);
  const [, count] = (await admin.pubsub('NUMSUB', channel)) as [string, number];
  return Number(count);
}

afterEach(async () => {
  await Promise.all(buses.splice(0).map((bus) => bus.close()));
  await Promise.all(opened.splice(0).map((redis) => redis.quit().catch(() => redis.disconnect())));
});

describe('createRedisEventBus', () => {
  it('delivers a JSON payload published by one process to listeners in another, topic by topic', async () => {
    const prefix = `test:bus:${randomUUID()}:`;
    const processA = makeBus(prefix);
    const processB = makeBus(prefix);
    const onA = collect(processA, 'conversation.messages:web:1');
    const otherOnA = collect(processA, 'conversation.messages:web:2');
    await processA.ready();

    processB.publish('conversation.messages:web:3', { text: 'nadie escucha' });
    processB.publish('conversation.messages:web:1', { text: 'hola', buttons: [{ id: 'a', title: 'Á' }] });
    await onA.until(1);

    expect(onA.received).toEqual([{ text: 'hola', buttons: [{ id: 'a', title: 'Á' }] }]);
    expect(otherOnA.received).toEqual([]);
  });

  it('delivers to the publishing process too, in publish order', async () => {
    const bus = makeBus(`test:bus:${randomUUID()}:`);
    const listener = collect(bus, 'topic');
    await bus.ready();
    for (let i = 0; i < 20; i++) bus.publish('topic', { i });
    await listener.until(20);
    expect(listener.received).toEqual(Array.from({ length: 20 }, (_, i) => ({ i })));
  });

  it('publishes several events at once in their order, across topics and to other processes', async () => {
    const prefix = `test:bus:${randomUUID()}:`;
    const publisher = makeBus(prefix);
    const other = makeBus(prefix);
    const order: unknown[] = [];
    other.subscribe('a', (payload) => order.push(['a', payload]));
    const onB = collect(other, 'b');
    other.subscribe('b', (payload) => order.push(['b', payload]));
    await other.ready();
    publishAll(publisher, [
      ['a', { n: 1 }],
      ['b', { n: 2 }],
      ['a', { big: 10n }],
      ['c', 'nadie escucha'],
      ['b', { n: 3, text: 'señal' }],
    ]);
    await onB.until(2);
    expect(order).toEqual([
      ['a', { n: 1 }],
      ['b', { n: 2 }],
      ['b', { n: 3, text: 'señal' }],
    ]);

    // The unserializable one is left out; nothing is thrown, and a dead publisher only logs.
    const dead = unreachableRedis();
    const warning = new Promise<string>((resolve) => {
      const logger = { ...silentLogger, warn: (_fields: Record<string, unknown>, msg: string) => resolve(msg) };
      const offline = createRedisEventBus({ publisher: dead, subscriber: dead, prefix: 'x:', logger });
      expect(() =>
        offline.publishAll?.([
          ['a', 1],
          ['b', 2],
        ]),
      ).not.toThrow();
    });
    expect(await warning).toBe('redis bus publish failed');
  });

  it('holds one SUBSCRIBE per topic however many listeners, and drops it with the last one', async () => {
    const prefix = `test:bus:${randomUUID()}:`;
    const bus = makeBus(prefix);
    const first = collect(bus, 'shared');
    const second = collect(bus, 'shared');
    await bus.ready();
    expect(await subscribers(prefix + 'shared')).toBe(1);

    first.unsubscribe();
    await bus.ready();
    expect(await subscribers(prefix + 'shared')).toBe(1);
    bus.publish('shared', 'still here');
    await second.until(1);
    expect(first.received).toEqual([]);
    expect(second.received).toEqual(['still here']);

    second.unsubscribe();
    await bus.ready();
    expect(await subscribers(prefix + 'shared')).toBe(0);
  });

  it('keeps delivering to the other listeners when one throws', async () => {
    const bus = makeBus(`test:bus:${randomUUID()}:`);
    bus.subscribe('topic', () => {
      throw new Error('listener failure');
    });
    const healthy = collect(bus, 'topic');
    await bus.ready();
    bus.publish('topic', 1);
    bus.publish('topic', 2);
    await healthy.until(2);
    expect(healthy.received).toEqual([1, 2]);
  });

  it('never throws from publish, even for an unserializable payload or a dead connection', async () => {
    const bus = makeBus(`test:bus:${randomUUID()}:`);
    const listener = collect(bus, 'topic');
    await bus.ready();
    expect(() => bus.publish('topic', { big: 10n })).not.toThrow();
    bus.publish('topic', 'after');
    await listener.until(1);
    expect(listener.received).toEqual(['after']);

    // A publisher that cannot reach Redis: the failure is logged, never thrown to the runtime.
    const dead = unreachableRedis();
    let warned: (msg: string) => void = () => {};
    const warning = new Promise<string>((resolve) => {
      warned = resolve;
    });
    const logger = { ...silentLogger, warn: (_fields: Record<string, unknown>, msg: string) => warned(msg) };
    const offline = createRedisEventBus({ publisher: dead, subscriber: dead, prefix: 'x:', logger });
    expect(() => offline.publish('topic', 'lost')).not.toThrow();
    expect(await warning).toBe('redis bus publish failed');
  });

  it('stops delivering and unsubscribes everything on close', async () => {
    const prefix = `test:bus:${randomUUID()}:`;
    const bus = makeBus(prefix);
    const publisherBus = makeBus(prefix);
    const listener = collect(bus, 'topic');
    await busReady(bus);
    await bus.close();
    expect(await subscribers(prefix + 'topic')).toBe(0);

    const witness = collect(publisherBus, 'topic');
    await publisherBus.ready();
    publisherBus.publish('topic', 'late');
    await witness.until(1);
    expect(listener.received).toEqual([]);
  });

  it('tells its reconnect listeners once the subscriber is back, and keeps delivering', async () => {
    const prefix = `test:bus:${randomUUID()}:`;
    const bus = makeBus(prefix);
    const subscriber = opened.at(-1)!;
    const subscriberId = await subscriber.client('ID');
    const listener = collect(bus, 'topic');
    await bus.ready();
    let reconnects = 0;
    const reconnected = new Promise<void>((resolve) =>
      bus.onReconnect(() => {
        reconnects++;
        resolve();
      }),
    );
    const removed = bus.onReconnect(() => expect.unreachable('removed before the reconnect'));
    removed();

    const admin = new Redis(REDIS_URL);
    opened.push(admin);
    await admin.client('KILL', 'ID', String(subscriberId));
    await reconnected;
    expect(reconnects).toBe(1);

    // ready() covers the topics subscribed again after the reconnect.
    await bus.ready();
    expect(await subscribers(prefix + 'topic')).toBe(1);
    bus.publish('topic', 'after the reconnect');
    await listener.until(1);
    expect(listener.received).toEqual(['after the reconnect']);
  });
});
