import { afterEach } from 'vitest';
import { openWsClient, type WsClient } from './clients.ts';
import { type HarnessOptions, startHarness } from './harness.ts';

/**
 * Test support: harnesses and WebSocket clients closed after each test of the file that imports this
 * (newest first), and `onCleanup` for anything else a test opens.
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export const onCleanup = (cleanup: () => Promise<void> | void) => void cleanups.push(cleanup);

export async function harness(options: HarnessOptions = {}) {
  const h = await startHarness(options);
  onCleanup(() => h.close());
  return h;
}

export function client(url: string, token?: string, options?: Parameters<typeof openWsClient>[2]): WsClient {
  const c = openWsClient(url, token, options);
  onCleanup(() => c.client.dispose());
  return c;
}
