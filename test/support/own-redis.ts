import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { Redis } from 'ioredis';

/**
 * A redis-server of the test's own (never the shared 6379 one), on a port picked free when it first
 * starts (two test runs on one machine never collide) and kept for its restarts: it can be killed
 * (refused), paused with SIGSTOP (stalled: connections hang, nothing is refused), resumed and restarted.
 */
export interface OwnRedis {
  url: string;
  /** SIGSTOP: Redis stalls (a paused or frozen server). */
  pause(): void;
  resume(): void;
  /** SIGKILL: connections are refused until `start()`. */
  kill(): Promise<void>;
  /** (Re)starts it (unless it runs) and resolves once it answers PING. */
  start(): Promise<void>;
}

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** A port nothing listens on now (the OS picks it): bind port 0, read the port, close. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Starts one on a free port; should another process take that port first, on a fresh one. */
export async function startOwnRedis(): Promise<OwnRedis> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOwnRedisOn(await freePort());
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

async function startOwnRedisOn(port: number): Promise<OwnRedis> {
  let child: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;
  const own: OwnRedis = {
    url,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    async kill() {
      if (!child || !alive(child)) return;
      const exited = once(child, 'exit');
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited;
    },
    async start() {
      if (child && alive(child)) return;
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      );
      const spawned = child;
      const probe = new Redis(url, { retryStrategy: () => 50, maxRetriesPerRequest: null, lazyConnect: true });
      probe.on('error', () => {});
      try {
        // A server left behind on the port would answer the probe: ours must still run after it.
        await Promise.race([
          probe.ping(),
          once(spawned, 'exit').then(() => {
            throw new Error(`redis-server on port ${port} exited (is the port taken?)`);
          }),
        ]);
        if (!alive(spawned)) throw new Error(`redis-server on port ${port} exited (is the port taken?)`);
      } finally {
        probe.disconnect();
      }
    },
  };
  await own.start();
  return own;
}
