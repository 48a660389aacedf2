import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { type Logger, silentLogger } from '../log.ts';
import {
  AUTO_PIPELINING,
  clusterNodeOptions,
  type RedisClient,
  type RedisTarget,
  seedRotatingConnection,
} from '../redis-connection.ts';
import type { BusEvent, EventBus } from './bus.ts';

/** Publishes ARGV's (channel, message) pairs in order: several events in one command. */
const PUBLISH_ALL = `for i = 1, #ARGV, 2 do redis.call('PUBLISH', ARGV[i], ARGV[i + 1]) end
return 0`;

type PublisherWithScript = RedisClient & { omnibotPublishAll(...args: string[]): Promise<number> };

/** Defines the bus's script on the publisher, once (ioredis runs it by EVALSHA, loading it when missing). */
function withPublishScript(publisher: RedisClient): PublisherWithScript {
  const scripted = publisher as PublisherWithScript;
  if (typeof (scripted as Partial<PublisherWithScript>).omnibotPublishAll !== 'function') {
    publisher.defineCommand('omnibotPublishAll', { numberOfKeys: 0, lua: PUBLISH_ALL });
  }
  return scripted;
}

export interface RedisEventBusOptions {
  /** Publishes (may be shared with other commands, e.g. the store's connection); may be a Cluster's client. */
  publisher: RedisClient;
  /**
   * Dedicated to this bus: a subscribed connection runs no other commands. Always one server's
   * connection (on a cluster, to one node: a classic PUBLISH on any master reaches it), so that its
   * `ready` after a drop says "events were lost".
   */
  subscriber: Redis;
  /** Channel name prefix, e.g. the store's key prefix: processes on one Redis share it. */
  prefix: string;
  logger?: Logger;
}

export interface RedisEventBus extends EventBus {
  /**
   * Resolves once every SUBSCRIBE issued so far has been confirmed by Redis; rejects when the last of
   * them failed (Redis unreachable: the topics are subscribed again once it is back).
   */
  ready(): Promise<void>;
  /**
   * Calls `listener` each time the subscriber connection is ready again after a disconnection (events
   * published meanwhile are lost); returns a function that removes it.
   */
  onReconnect(listener: () => void): () => void;
}

type Listener = (payload: unknown) => void;

interface Channel {
  listeners: Set<Listener>;
}

/**
 * An EventBus across processes: `publish` is a Redis PUBLISH of the JSON payload (fire and forget,
 * never throws; `publishAll`: one script running the PUBLISHes in order); each topic with local listeners holds one SUBSCRIBE on the single subscriber
 * connection (reference counted: the first listener subscribes, the last one unsubscribes). Every
 * process, including the publisher's own, receives the event from Redis, so listeners everywhere see
 * the same order. ioredis re-subscribes after a reconnect; events published meanwhile are lost
 * (Redis pub/sub is at most once): once the subscriber is ready again, the topics are subscribed
 * again (tracked by `ready()`) and the `onReconnect` listeners run, so subscribers can re-read the state.
 */
export function createRedisEventBus(options: RedisEventBusOptions): RedisEventBus {
  const { subscriber, prefix } = options;
  const publisher = withPublishScript(options.publisher);
  const logger = options.logger ?? silentLogger;
  const channels = new Map<string, Channel>();
  // Commands on one connection complete in order: the last one settling means all earlier did.
  let last: Promise<{ failure: unknown } | undefined> = Promise.resolve(undefined);
  let closed = false;

  const onMessage = (channelName: string, message: string) => {
    if (!channelName.startsWith(prefix)) return;
    const channel = channels.get(channelName.slice(prefix.length));
    if (!channel || channel.listeners.size === 0) return;
    let payload: unknown;
    try {
      payload = JSON.parse(message);
    } catch {
      logger.warn({ channel: channelName }, 'ignoring a bus message that is not JSON');
      return;
    }
    for (const listener of [...channel.listeners]) {
      try {
        listener(payload);
      } catch (error) {
        logger.warn({ channel: channelName, err: error }, 'a bus listener failed');
      }
    }
  };
  subscriber.on('message', onMessage);

  const reconnectListeners = new Set<() => void>();
  // The first `ready` is the initial connection; each later one follows a disconnection.
  let connectedBefore = subscriber.status === 'ready';
  const onReady = () => {
    if (closed) return;
    if (!connectedBefore) {
      connectedBefore = true;
      return;
    }
    const names = [...channels.keys()].map((topic) => prefix + topic);
    // The only re-subscription (autoResubscribe is off where the bus opens its connections; with it on,
    // subscribing again is a no-op for Redis): ready() waits for it, and its failure is handled.
    if (names.length > 0) track(subscriber.subscribe(...names), 'resubscribe', names.join(' '));
    logger.warn({ channels: names.length }, 'redis bus reconnected; events published meanwhile were lost');
    for (const listener of [...reconnectListeners]) {
      try {
        listener();
      } catch (error) {
        logger.warn({ err: error }, 'a bus reconnect listener failed');
      }
    }
  };
  subscriber.on('ready', onReady);

  const track = (command: Promise<unknown>, what: string, topic: string) => {
    const done = command.then(
      () => undefined,
      (error: unknown) => {
        if (closed) return undefined;
        logger.error({ topic, err: error }, `redis bus ${what} failed`);
        return { failure: error };
      },
    );
    last = done;
    return done;
  };

  /** The payload as published, or undefined (logged) when it cannot be. */
  const serialized = (topic: string, payload: unknown): string | undefined => {
    try {
      return JSON.stringify(payload);
    } catch (error) {
      logger.error({ topic, err: error }, 'bus payload is not serializable');
      return undefined;
    }
  };
  const publishFailed = (topic: string, error: unknown) => {
    logger.warn({ topic, err: error }, 'redis bus publish failed');
  };

  return {
    publish(topic, payload) {
      if (closed) return;
      const message = serialized(topic, payload);
      if (message === undefined) return;
      publisher.publish(prefix + topic, message).catch((error: unknown) => publishFailed(topic, error));
    },

    publishAll(events: readonly BusEvent[]) {
      if (closed) return;
      // Channel and message pairs, in order: one command instead of one PUBLISH each.
      const args: string[] = [];
      for (const [topic, payload] of events) {
        const message = serialized(topic, payload);
        if (message !== undefined) args.push(prefix + topic, message);
      }
      if (args.length === 0) return;
      publisher
        .omnibotPublishAll(...args)
        .catch((error: unknown) => publishFailed(events.map(([topic]) => topic).join(' '), error));
    },

    subscribe(topic, listener) {
      if (closed) return () => {};
      let channel = channels.get(topic);
      if (!channel) {
        channel = { listeners: new Set() };
        channels.set(topic, channel);
        track(subscriber.subscribe(prefix + topic), 'subscribe', topic);
      }
      const entry = channel;
      // A listener may be added twice; each subscribe call gets its own reference.
      const ref: Listener = (payload) => listener(payload);
      entry.listeners.add(ref);
      return () => {
        if (!entry.listeners.delete(ref) || entry.listeners.size > 0) return;
        if (channels.get(topic) !== entry) return;
        channels.delete(topic);
        if (!closed) track(subscriber.unsubscribe(prefix + topic), 'unsubscribe', topic);
      };
    },

    async ready() {
      let seen: typeof last;
      let outcome: Awaited<typeof last>;
      do {
        seen = last;
        outcome = await seen;
      } while (seen !== last);
      if (outcome) throw new Error('the event bus is not subscribed', { cause: outcome.failure });
    },

    onReconnect(listener) {
      const ref = () => listener();
      reconnectListeners.add(ref);
      return () => {
        reconnectListeners.delete(ref);
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      subscriber.off('message', onMessage);
      subscriber.off('ready', onReady);
      reconnectListeners.clear();
      const names = [...channels.keys()].map((topic) => prefix + topic);
      channels.clear();
      if (names.length > 0 && subscriber.status === 'ready') {
        await subscriber.unsubscribe(...names).catch(() => undefined);
      }
    },
  };
}

/** Waits until the bus delivers to every listener subscribed so far (a no-op for in-process buses). */
export async function busReady(bus: EventBus): Promise<void> {
  const ready = (bus as Partial<RedisEventBus>).ready;
  if (typeof ready === 'function') await ready.call(bus);
}

/** Calls `listener` when the bus reconnects and may have lost events (never, for in-process buses). */
export function onBusReconnect(bus: EventBus, listener: () => void): () => void {
  const onReconnect = (bus as Partial<RedisEventBus>).onReconnect;
  return typeof onReconnect === 'function' ? onReconnect.call(bus, listener) : () => {};
}

/**
 * Opens the bus's two connections (a subscribed connection can run nothing else) and returns the bus
 * with a `close()` that also closes them. Resolves once the subscriber connection is ready. On a
 * cluster the publisher is a Cluster client and the subscriber a plain connection to one seed node,
 * moving to the next seed at each reconnection attempt (a dead node is left).
 */
export async function connectRedisEventBus(
  target: RedisTarget | string,
  prefix: string,
  logger: Logger = silentLogger,
  redisOptions: RedisOptions = {},
): Promise<{ bus: RedisEventBus; close(): Promise<void> }> {
  const where = typeof target === 'string' ? { url: target } : target;
  const publisherName = { connectionName: 'omnibot-bus-pub' };
  const publisher: RedisClient =
    'nodes' in where
      ? new Cluster(
          where.nodes.map(({ host, port }) => ({ host, port })),
          {
            enableAutoPipelining: AUTO_PIPELINING,
            redisOptions: { ...redisOptions, ...publisherName, ...clusterNodeOptions(where.security) },
          },
        )
      : new Redis(where.url, { ...redisOptions, ...publisherName, enableAutoPipelining: AUTO_PIPELINING });
  // The bus re-subscribes itself once ready again (handled): ioredis's own re-subscription leaves its
  // SUBSCRIBE's failure unhandled when Redis drops again at that moment (an unhandled rejection).
  const subscriberOptions: RedisOptions = {
    ...redisOptions,
    connectionName: 'omnibot-bus-sub',
    autoResubscribe: false,
  };
  const subscriber =
    'nodes' in where
      ? seedRotatingConnection(where.nodes, { ...subscriberOptions, ...clusterNodeOptions(where.security) })
      : new Redis(where.url, subscriberOptions);
  for (const connection of [publisher, subscriber]) {
    connection.on('error', (error: unknown) => logger.warn({ err: error }, 'redis bus connection error'));
  }
  const bus = createRedisEventBus({ publisher, subscriber, prefix, logger });
  const quit = async (connection: RedisClient) => {
    await connection.quit().catch(() => connection.disconnect());
  };
  try {
    await Promise.all([publisher.ping(), subscriber.ping()]);
  } catch (error) {
    await Promise.all([quit(publisher), quit(subscriber)]);
    throw error;
  }
  return {
    bus,
    async close() {
      await bus.close();
      await Promise.all([quit(publisher), quit(subscriber)]);
    },
  };
}
