import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../log.ts';
import { connectRedisEventBus } from './redis-bus.ts';

/**
 * A minimal Redis for the subscriber connection: answers the connection's handshake, PING and
 * SUBSCRIBE. When `dropNextSubscribe` is set, it closes the connection on the next SUBSCRIBE and
 * refuses every later one: Redis going down again just as the subscriber came back.
 */
function fakeRedis() {
  const sockets = new Set<Socket>();
  let dropNextSubscribe = false;
  const reply = (socket: Socket, args: string[]) => {
    const name = args[0]?.toLowerCase();
    if (name === 'subscribe') {
      if (dropNextSubscribe) {
        server.close();
        for (const open of sockets) open.destroy();
        return;
      }
      args.slice(1).forEach((channel, i) => {
        socket.write(`*3\r\n$9\r\nsubscribe\r\n$${Buffer.byteLength(channel)}\r\n${channel}\r\n:${i + 1}\r\n`);
      });
    } else if (name === 'ping') socket.write('+PONG\r\n');
    else if (name === 'info') socket.write('$11\r\nloading:0\r\n\r\n');
    else socket.write('+OK\r\n');
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      // Commands are RESP arrays of bulk strings: *N, then N times $len and the argument.
      for (;;) {
        const lines = buffer.split('\r\n');
        const count = Number(lines[0]?.slice(1));
        if (!lines[0]?.startsWith('*') || lines.length < 1 + count * 2 + 1) return;
        const args = Array.from({ length: count }, (_, i) => lines[2 + i * 2] ?? '');
        buffer = lines.slice(1 + count * 2).join('\r\n');
        reply(socket, args);
      }
    });
  });
  return {
    server,
    async listen() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      return (server.address() as { port: number }).port;
    },
    /** Drops every connection now; they may reconnect (and the next SUBSCRIBE is dropped too). */
    bounce() {
      dropNextSubscribe = true;
      for (const open of [...sockets]) open.destroy();
    },
  };
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

describe('the Redis bus through an outage', () => {
  it('leaves no unhandled rejection when Redis drops again while the subscriber re-subscribes', async () => {
    process.on('unhandledRejection', onUnhandled);
    const redis = fakeRedis();
    const port = await redis.listen();
    const lines: string[] = [];
    const logger = createLogger('debug', {}, (line) => lines.push(line));
    const { bus, close } = await connectRedisEventBus(`redis://127.0.0.1:${port}`, 'outage:', logger, {
      maxRetriesPerRequest: 1,
      retryStrategy: () => 20,
    });
    try {
      bus.subscribe('topic', () => {});
      await (bus as { ready(): Promise<void> }).ready();

      // Down, back (the subscriber re-subscribes), down again before SUBSCRIBE is answered, for good.
      redis.bounce();
      const failed = () => lines.some((line) => line.includes('redis bus resubscribe failed'));
      for (let i = 0; i < 200 && !failed(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(failed()).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 100)); // unhandled rejections are reported a tick later
      expect(unhandled).toEqual([]);
    } finally {
      await close();
    }
  });
});
