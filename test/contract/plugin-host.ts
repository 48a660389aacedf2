import { Hono } from 'hono';
import { channelConfig, hostAuth } from '../../core/app.ts';
import { type Env, loadConfig } from '../../core/config.ts';
import { memoryChannelStates } from '../../core/delivery/channel-state.ts';
import { createMemoryEventBus } from '../../core/events/bus.ts';
import { errorHandler } from '../../core/http/errors.ts';
import { createLimits, NO_LIMITS } from '../../core/limits/index.ts';
import { silentLogger } from '../../core/log.ts';
import type { ChannelPlugin, PluginHost } from '../../core/plugin.ts';
import { createMemoryStore } from '../../core/store/memory-store.ts';
import { createFakeRuntime, type FakeRuntime } from './fake-runtime.ts';

export interface MountedPlugin<R extends PluginHost['runtime'] = FakeRuntime> {
  /** A Hono app with the gateway's error mapping and only this plugin's routes. */
  app: Hono;
  /** What the plugin was mounted with. */
  host: PluginHost & { runtime: R };
}

export interface FakeHostOptions<R extends PluginHost['runtime']> extends Partial<Omit<PluginHost, 'runtime'>> {
  /** Default: a fake runtime that answers nothing (`createFakeRuntime({ reply: () => null })`). */
  runtime?: R;
  /**
   * Gateway variables for the host's `config` and auth services (`loadConfig(env)`: `SESSION_SECRET`
   * signs the conversation tokens, `ADMIN_TOKEN` is the admin's), when those are not given.
   */
  env?: Env;
}

/**
 * Mounts one plugin as the gateway would, on a fake host: the error mapping of `app.onError`, the
 * given runtime (default a fake one), the settings and auth of `loadConfig(env)`, no rate limits, an in-memory store and bus,
 * and `deliver` = the plugin's own `send` (pass the dispatcher's to test pacing and retries).
 */
export function mountPlugin<R extends PluginHost['runtime'] = FakeRuntime>(
  plugin: ChannelPlugin,
  options: FakeHostOptions<R> = {},
): MountedPlugin<R> {
  const { env, ...given } = options;
  const logger = given.logger ?? silentLogger;
  const config = loadConfig({ SESSION_SECRET: 'contract-session-secret', ...env });
  const host = {
    config: channelConfig(config),
    ...hostAuth(config),
    deliver: async (message) => {
      await plugin.send(message);
    },
    store: createMemoryStore(),
    bus: createMemoryEventBus(),
    limits: createLimits(NO_LIMITS),
    channelState: memoryChannelStates()(plugin.name),
    ...given,
    runtime: given.runtime ?? (createFakeRuntime({ reply: () => null }) as unknown as R),
    logger,
  } satisfies PluginHost;
  const app = new Hono();
  app.onError(errorHandler(logger));
  plugin.mount(app, host);
  return { app, host };
}
