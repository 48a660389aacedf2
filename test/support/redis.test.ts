import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnGateway } from './gateway-process.ts';
import {
  DEFAULT_TEST_REDIS_URL,
  DEVELOPER_REDIS_URL_ENV,
  REDIS_URL,
  redisDatabase,
  refuseDevelopersDatabase,
  testRedisUrl,
} from './redis.ts';

const REFUSAL = /Refusing to run tests against .*it is the database your REDIS_URL points at.*TEST_REDIS_URL/;

describe('the tests’ Redis', () => {
  it('is TEST_REDIS_URL, by default database 15 of the local server', () => {
    expect(testRedisUrl({})).toBe(DEFAULT_TEST_REDIS_URL);
    expect(DEFAULT_TEST_REDIS_URL).toBe('redis://127.0.0.1:6379/15');
    expect(testRedisUrl({ TEST_REDIS_URL: 'redis://127.0.0.1:6379/3', REDIS_URL: 'redis://127.0.0.1:6379' })).toBe(
      'redis://127.0.0.1:6379/3',
    );
  });

  it('refuses the database the developer’s REDIS_URL points at, however the URL is spelled', () => {
    expect(() =>
      testRedisUrl({ TEST_REDIS_URL: 'redis://127.0.0.1:6379', REDIS_URL: 'redis://localhost:6379/0' }),
    ).toThrow(REFUSAL);
    expect(() => testRedisUrl({ REDIS_URL: 'redis://localhost:6379/15' })).toThrow(REFUSAL);
    expect(() =>
      testRedisUrl({ TEST_REDIS_URL: 'redis://127.0.0.1/2', REDIS_URL: 'redis://:pw@127.0.0.1:6379?db=2' }),
    ).toThrow(REFUSAL);
  });

  it('accepts another database, port or host', () => {
    expect(testRedisUrl({ REDIS_URL: 'redis://127.0.0.1:6379' })).toBe(DEFAULT_TEST_REDIS_URL);
    expect(testRedisUrl({ TEST_REDIS_URL: 'redis://127.0.0.1:6380/0', REDIS_URL: 'redis://127.0.0.1:6379/0' })).toBe(
      'redis://127.0.0.1:6380/0',
    );
    expect(testRedisUrl({ TEST_REDIS_URL: 'redis://redis.test:6379/0', REDIS_URL: 'redis://127.0.0.1:6379/0' })).toBe(
      'redis://redis.test:6379/0',
    );
  });

  it('names the database without its password', () => {
    expect(redisDatabase('redis://:s3cret@127.0.0.1:6379/4')).toBe('localhost:6379/4');
    expect(() =>
      testRedisUrl({ TEST_REDIS_URL: 'redis://:s3cret@127.0.0.1:6379/4', REDIS_URL: 'redis://127.0.0.1:6379/4' }),
    ).toThrow(/^(?!.*s3cret)/s);
  });

  it('checks the developer’s value kept by global-setup (REDIS_URL itself names the test database in the run)', () => {
    const env = { [DEVELOPER_REDIS_URL_ENV]: 'redis://127.0.0.1:6379/15', REDIS_URL: DEFAULT_TEST_REDIS_URL };
    expect(() => testRedisUrl(env)).toThrow(REFUSAL);
    expect(testRedisUrl({ [DEVELOPER_REDIS_URL_ENV]: '', REDIS_URL: DEFAULT_TEST_REDIS_URL })).toBe(
      DEFAULT_TEST_REDIS_URL,
    );
  });

  it('is what REDIS_URL names inside the test run', () => {
    expect(process.env.REDIS_URL).toBe(REDIS_URL);
    expect(() => refuseDevelopersDatabase(REDIS_URL)).not.toThrow();
  });
});

describe('a test run aimed at the developer’s database', () => {
  const saved = process.env[DEVELOPER_REDIS_URL_ENV];
  afterEach(() => {
    process.env[DEVELOPER_REDIS_URL_ENV] = saved;
  });

  it('stops at once: importing the test Redis helper fails with the reason', async () => {
    const run = promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', "await import('./test/support/redis.ts')"],
      {
        env: {
          PATH: process.env.PATH ?? '',
          REDIS_URL: 'redis://127.0.0.1:6379/0',
          TEST_REDIS_URL: 'redis://localhost:6379',
        },
      },
    );
    await expect(run).rejects.toMatchObject({ stderr: expect.stringMatching(REFUSAL) });
  });

  it('does not start a gateway process on it', async () => {
    process.env[DEVELOPER_REDIS_URL_ENV] = 'redis://127.0.0.1:6379/7';
    await expect(spawnGateway({ REDIS_URL: 'redis://localhost:6379/7' })).rejects.toThrow(REFUSAL);
  });
});
