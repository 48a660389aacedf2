import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { type ChannelState, redisChannelStates } from '../../core/delivery/channel-state.ts';
import { type PlatformFake, type PlatformServer, startPlatformServer } from './platform-server.ts';
import { clearPrefix, connectRedis, uniquePrefix } from './redis.ts';

/**
 * For a test file whose "gateway processes" share a channel's state in Redis, as every process of a
 * deployment does: the loopback platform server with `fakes` and one Redis connection for the file;
 * per test, a clean platform log and a fresh key prefix (`<name>` in it), cleared after the test.
 */
export function useSharedChannelState(name: string, fakes: readonly PlatformFake[]) {
  let platform: PlatformServer;
  let redis: Redis;
  let prefix: string;

  beforeAll(async () => {
    platform = await startPlatformServer(fakes);
    redis = connectRedis();
  });
  afterAll(async () => {
    await platform.close();
    await redis.quit();
  });
  beforeEach(() => {
    platform.reset();
    prefix = uniquePrefix(name);
  });
  afterEach(async () => {
    await clearPrefix(prefix);
  });

  return {
    get platform() {
      return platform;
    },
    get redis() {
      return redis;
    },
    /** This test's key prefix. */
    get prefix() {
      return prefix;
    },
    /** The channel's state under this test's prefix, as each process of the test sees it. */
    state: (channel: string): ChannelState => redisChannelStates(redis, prefix)(channel),
  };
}
