import { spawn, spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { REDIS_URL } from './redis.ts';

/**
 * The tests use the real Redis at TEST_REDIS_URL (default 127.0.0.1:6379). When nothing answers
 * there and `redis-server` is installed, one is started for the run (and stopped after it).
 */
async function answers(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {}); // a refused probe is an answer, not an error
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

export default async function setup() {
  if (await answers(REDIS_URL)) return;
  const { port, hostname } = new URL(REDIS_URL);
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    throw new Error(
      `Redis does not answer at ${REDIS_URL} and redis-server is not installed (apt-get install redis-server)`,
    );
  }
  const server = spawn(
    'redis-server',
    ['--port', port || '6379', '--bind', hostname, '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 50 && !(await answers(REDIS_URL)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await answers(REDIS_URL))) throw new Error(`could not start redis-server for ${REDIS_URL}`);
  return () => {
    server.kill();
  };
}
