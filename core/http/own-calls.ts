import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';

type Fetch = (request: Request) => Response | Promise<Response>;

export interface OwnCallsListener {
  /** `http://127.0.0.1:<port>`: what the process calls itself at. */
  url: string;
  /** From now on the listed paths reach `fetch` (503 before). */
  serve(fetch: Fetch): void;
  /** Closes the listener and every connection (the last step of a shutdown). */
  close(): void;
}

/**
 * A loopback-only listener for the process's own HTTP calls: the embedded runner's workflow
 * callbacks and its calls to the demo CMMS. A shutdown closes the public listener at once, but
 * the workflows still running may finish and call back here until the very end. Only `paths`
 * (prefixes) are served.
 */
export async function listenForOwnCalls(paths: readonly string[]): Promise<OwnCallsListener> {
  let target: Fetch | undefined;
  const server = createServer(
    getRequestListener((request) => {
      const { pathname } = new URL(request.url);
      if (!paths.some((path) => pathname === path || pathname.startsWith(`${path}/`))) {
        return new Response(null, { status: 404 });
      }
      return target ? target(request) : new Response(null, { status: 503, headers: { 'retry-after': '1' } });
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    serve(fetch) {
      target = fetch;
    },
    close() {
      server.close();
      server.closeAllConnections();
    },
  };
}
