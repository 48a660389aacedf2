import { spawn, spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { DEVELOPER_REDIS_URL_ENV, REDIS_URL, redisDatabase } from './redis.ts';

/**
 * The tests use the real Redis at TEST_REDIS_URL (default redis://127.0.0.1:6379/15), never the
 * database of the developer's REDIS_URL (importing redis.ts throws then). When nothing answers there
 * and `redis-server` is installed, one is started for the run (and stopped after it).
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

/**
 * For the run, REDIS_URL names the test database: code that falls back on `process.env.REDIS_URL`
 * (in the test workers, which inherit this env) cannot reach the developer's. The developer's own
 * value stays known to redis.ts's check under DEVELOPER_REDIS_URL_ENV.
 */
function pointRedisUrlAtTests(): () => void {
  const saved = { developer: process.env[DEVELOPER_REDIS_URL_ENV], redis: process.env.REDIS_URL };
  process.env[DEVELOPER_REDIS_URL_ENV] = saved.developer ?? saved.redis ?? '';
  process.env.REDIS_URL = REDIS_URL;
  const restore = (name: string, value: string | undefined) => {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  return () => {
    restore(DEVELOPER_REDIS_URL_ENV, saved.developer);
    restore('REDIS_URL', saved.redis);
  };
}

export default async function setup() {
  const restoreEnv = pointRedisUrlAtTests();
  if (await answers(REDIS_URL)) return restoreEnv;
  const { port, hostname } = new URL(REDIS_URL);
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    throw new Error(
      `Redis does not answer at ${redisDatabase(REDIS_URL)} and redis-server is not installed (apt-get install redis-server)`,
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
  if (!(await answers(REDIS_URL))) throw new Error(`could not start redis-server for ${redisDatabase(REDIS_URL)}`);
  return () => {
    server.kill();
    restoreEnv();
  };
}
