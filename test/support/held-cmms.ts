import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { createDemoCmmsApp, DEMO_CMMS_TOKEN } from '../../core/cmms/demo-server.ts';

export interface HeldRequest {
  /** Resolves when a request matching the hold reaches the CMMS. */
  arrived: Promise<void>;
  /** Resolves once `n` requests matching the hold reached the CMMS. */
  arrivals(n: number): Promise<void>;
  /** Lets every held request (and later matching ones) through. */
  release(): void;
}

/**
 * The demo CMMS on a port of its own (CMMS_URL for a gateway process), able to hold requests whose
 * path matches, to keep a turn or a workflow in flight for as long as a test needs.
 */
export async function startHeldCmms() {
  const holds: { pattern: RegExp; arrive: () => void; gate: Promise<void>; open: () => void }[] = [];
  const app = new Hono();
  app.use('*', async (c, next) => {
    const hold = holds.find((h) => h.pattern.test(c.req.path));
    if (hold) {
      hold.arrive();
      await hold.gate;
    }
    await next();
  });
  app.route('/', createDemoCmmsApp());
  const server = createServer(getRequestListener(app.fetch));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    env: { CMMS_URL: url, CMMS_TOKEN: DEMO_CMMS_TOKEN },
    hold(pattern: RegExp): HeldRequest {
      let open!: () => void;
      let count = 0;
      const waiting: { n: number; resolve: () => void }[] = [];
      const arrive = () => {
        count++;
        for (const waiter of waiting.filter((w) => w.n <= count)) {
          waiting.splice(waiting.indexOf(waiter), 1);
          waiter.resolve();
        }
      };
      const arrivals = (n: number) =>
        count >= n ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ n, resolve }));
      const gate = new Promise<void>((resolve) => (open = resolve));
      const hold = { pattern, arrive, gate, open };
      holds.push(hold);
      return {
        arrived: arrivals(1),
        arrivals,
        release() {
          holds.splice(holds.indexOf(hold), 1);
          open();
        },
      };
    },
    close() {
      for (const hold of holds) hold.open();
      server.close();
      server.closeAllConnections();
    },
  };
}
