import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { createDemoCmmsApp } from '../../core/cmms/demo-server.ts';
import { DEMO_CMMS_TOKEN } from '../../core/cmms/demo-users.ts';

/** How the CMMS answers its equipment list: as the demo does, with a 503, or not at all (until told). */
export type EquipmentMode = 'up' | 'failing' | 'hanging';

/**
 * The demo CMMS on a port of its own (CMMS_URL for a gateway) whose equipment list (`…/equipos/`) can
 * be made to fail or hang: the rest of its API (work orders, users) answers as the demo does.
 */
export async function startEquipmentCmms(mode: EquipmentMode) {
  let current = mode;
  const hung: Array<() => void> = [];
  let equipmentRequests = 0;
  const app = new Hono();
  app.use('*', async (c, next) => {
    if (!/\/equipos\//.test(c.req.path)) return next();
    equipmentRequests++;
    if (current === 'hanging') await new Promise<void>((resolve) => hung.push(resolve));
    if (current !== 'up') return c.json({ detail: 'Servicio no disponible.' }, 503);
    return next();
  });
  app.route('/', createDemoCmmsApp());
  const server = createServer(getRequestListener(app.fetch));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  /** Answers the requests held so far (as the mode says now). */
  const release = () => {
    for (const resume of hung.splice(0)) resume();
  };
  return {
    url,
    /** The CMMS's API root, as an administrator reads it back. */
    api: `${url}/api`,
    env: { CMMS_URL: url, CMMS_TOKEN: DEMO_CMMS_TOKEN },
    equipmentRequests: () => equipmentRequests,
    setMode(next: EquipmentMode) {
      current = next;
      if (next !== 'hanging') release();
    },
    release,
    close() {
      current = 'failing';
      release();
      server.close();
      server.closeAllConnections();
    },
  };
}
