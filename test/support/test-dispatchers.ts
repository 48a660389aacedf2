import { afterEach } from 'vitest';
import { createOutboundDispatcher } from '../../core/delivery/dispatcher.ts';
import type { OutboundDispatcher } from '../../core/delivery/types.ts';
import { silentLogger } from '../../core/log.ts';
import { type ChannelPlugin, PluginRegistry } from '../../core/plugin.ts';

/**
 * For a test file: `dispatcherFor(...plugins)` makes an outbound dispatcher over those channels with
 * quick retries (3 attempts, 5–20 ms apart, no jitter) and closes it after the test.
 */
export function useTestDispatchers() {
  const open: OutboundDispatcher[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((d) => d.close(1000)));
  });
  return function dispatcherFor(...plugins: ChannelPlugin[]): OutboundDispatcher {
    const registry = new PluginRegistry();
    for (const plugin of plugins) registry.register(plugin);
    const dispatcher = createOutboundDispatcher({
      registry,
      logger: silentLogger,
      retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
      deadLetter: { intervalMs: 0, firstRetryDelayMs: 0, maxRounds: 3 },
      random: () => 0.5,
    });
    open.push(dispatcher);
    return dispatcher;
  };
}
