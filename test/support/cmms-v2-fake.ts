import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { demoAuthentication } from '../../core/cmms/demo-auth.ts';
import { demoEquipment, demoWorkOrders } from '../../core/cmms/demo-data.ts';
import { checkedBody, LoginSchema } from '../../core/cmms/demo-guard.ts';
import { createDemoAccounts, loginAnswer } from '../../core/cmms/demo-users.ts';
import { type DemoCmmsState, demoV2Errors, mountDemoV2 } from '../../core/cmms/demo-v2.ts';

/**
 * The demo CMMS's later API (`/api/v2/`) on its own, composed as the demo server composes it: the v2
 * error shape first, the demo's token authentication, its login at `/api/login/`, then
 * `mountDemoV2` over fresh demo data. For the CMMS-v2 tests (until demo-server.ts mounts it itself).
 */
export function createDemoV2App(): { app: Hono; state: DemoCmmsState } {
  const equipment = demoEquipment();
  const state: DemoCmmsState = { equipment, orders: demoWorkOrders(equipment) };
  const accounts = createDemoAccounts();
  const app = new Hono();
  app.use('/api/v2/*', demoV2Errors());
  app.use('*', demoAuthentication(accounts));
  app.post('/api/login/', async (c) => {
    const checked = await checkedBody(c, LoginSchema);
    if (!checked.ok) return c.json(checked.errors, checked.status);
    const session = accounts.login(checked.value.username, checked.value.password);
    if (!session)
      return c.json({ non_field_errors: ['No puede iniciar sesión con las credenciales proporcionadas.'] }, 400);
    return c.json(loginAnswer(session.user, session.token));
  });
  mountDemoV2(app, state);
  return { app, state };
}

/** `createDemoV2App` on a loopback port; `seen` lists each request as `METHOD /path?query`. */
export async function startDemoV2Cmms() {
  const { app, state } = createDemoV2App();
  const seen: string[] = [];
  const outer = new Hono();
  outer.use('*', async (c, next) => {
    const url = new URL(c.req.url);
    seen.push(`${c.req.method} ${url.pathname}${url.search}`);
    await next();
  });
  outer.route('/', app);
  return new Promise<{ url: string; state: DemoCmmsState; seen: string[]; close(): Promise<void> }>((resolve) => {
    const server = serve({ fetch: outer.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        state,
        seen,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
