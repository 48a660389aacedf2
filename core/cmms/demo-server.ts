import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { demoAuthentication, forUser } from './demo-auth.ts';
import {
  type DemoWorkOrder,
  demoEquipment,
  demoWorkOrders,
  EQUIPMENT_STATES,
  EQUIPMENT_TYPES,
  MAINTENANCE_TYPES,
  SITES,
  WORK_ORDER_STATES,
} from './demo-data.ts';
import { checkedBody, type DemoRateLimitOptions, demoRateLimit, LoginSchema } from './demo-guard.ts';
import { NOT_FOUND, named, page } from './demo-http.ts';
import { registerOrderRoutes } from './demo-orders.ts';
import { createDemoAccounts, DEMO_USERS, loginAnswer, rolesJson, userJson } from './demo-users.ts';
import { demoV2Errors, mountDemoV2 } from './demo-v2.ts';
import { cmmsRoutes } from './routes.ts';

export { MAX_CREATED_ORDERS } from './demo-orders.ts';
export { DEMO_CMMS_TOKEN, DEMO_CMMS_USER, DEMO_USERS } from './demo-users.ts';

/** The demo's path of a CMMS route (it serves the API under `/api/`). */
const api = (route: string) => `/api/${route}`;

/**
 * A small demo of the Somacor CMMS REST API (DRF-like: users with roles, one `Token` per user,
 * `{count,next,previous,results}` pages of 50, Spanish errors). The gateway serves it under
 * `/demo-cmms` when no `CMMS_URL` is set, and the Airflow tests point the DAGs at it. It is for
 * demos: its users and passwords are public (README), anyone can complete and change orders as in
 * the CMMS, so bodies are checked (400 with the reasons), each client is rate limited (429), and
 * only the most recent `MAX_CREATED_ORDERS` created orders are kept.
 */

/** DRF's refusal of wrong credentials (`AuthTokenSerializer`, in Spanish). */
export const WRONG_CREDENTIALS = { non_field_errors: ['No puede iniciar sesión con las credenciales proporcionadas.'] };

export interface DemoCmmsOptions {
  /** Requests to fail with 503 (a CMMS outage), for tests. */
  unavailable?: () => boolean;
  /** Per-client limits (`DEMO_RATE_LIMIT` by default; `false`: none). */
  rateLimit?: DemoRateLimitOptions['limit'];
  trustedProxyHops?: number;
  /** Who is asking (tests); default: the peer address. */
  clientOf?: DemoRateLimitOptions['clientOf'];
}

export function createDemoCmmsApp(options: DemoCmmsOptions = {}): Hono {
  const equipment = demoEquipment();
  const orders: DemoWorkOrder[] = demoWorkOrders(equipment);
  const accounts = createDemoAccounts();
  const app = new Hono();
  // First, so the refusals of the middleware below (429, 401) take v2's error shape under /api/v2/.
  app.use('/api/v2/*', demoV2Errors());

  app.use('*', async (c, next) => {
    if (options.unavailable?.()) return c.json({ detail: 'Servicio no disponible.' }, 503);
    await next();
  });
  app.use(
    '*',
    demoRateLimit({
      limit: options.rateLimit,
      trustedProxyHops: options.trustedProxyHops ?? 0,
      ...(options.clientOf ? { clientOf: options.clientOf } : {}),
    }),
  );
  app.use('*', demoAuthentication(accounts));

  app.post(api(cmmsRoutes.login), async (c) => {
    const checked = await checkedBody(c, LoginSchema);
    if (!checked.ok) return c.json(checked.errors, checked.status);
    const session = accounts.login(checked.value.username, checked.value.password);
    if (!session) return c.json(WRONG_CREDENTIALS, 400);
    return c.json(loginAnswer(session.user, session.token));
  });
  app.post(
    api(cmmsRoutes.logout),
    forUser((c, user) => {
      accounts.logout(user);
      return c.body(null, 204);
    }),
  );

  // As CMMS-API.md: users/ and roles/ are for administrators; supervisors may read users/ too
  // (they assign orders to technicians).
  app.get(
    api(cmmsRoutes.users),
    forUser((c) => page(c, DEMO_USERS.map(userJson)), ['Administrador', 'Supervisor']),
  );
  app.get(
    api(cmmsRoutes.roles),
    forUser((c) => page(c, rolesJson()), ['Administrador']),
  );

  registerOrderRoutes(app, equipment, orders);

  // Catalogs: equipment and its tables need a user with a role (every demo user has one).
  app.get(
    api(cmmsRoutes.equipment),
    forUser((c) => page(c, equipment)),
  );
  app.get(
    api(cmmsRoutes.sites),
    forUser((c) => page(c, named(SITES, 'idfaena', 'nombrefaena'))),
  );
  app.get(
    api(cmmsRoutes.equipmentTypes),
    forUser((c) => page(c, named(EQUIPMENT_TYPES, 'idtipoequipo', 'nombretipo'))),
  );
  app.get(
    api(cmmsRoutes.equipmentStates),
    forUser((c) => page(c, named(EQUIPMENT_STATES, 'idestadoequipo', 'nombreestado'))),
  );
  app.get(api(cmmsRoutes.workOrderStates), (c) => page(c, named(WORK_ORDER_STATES, 'idestadoot', 'nombreestadoot')));
  app.get(api(cmmsRoutes.maintenanceTypes), (c) =>
    page(c, named(MAINTENANCE_TYPES, 'idtipomantenimientoot', 'nombretipomantenimientoot')),
  );

  // The later API (CMMS_API_PREFIX=/api/v2/) over the same orders, equipment and tokens.
  mountDemoV2(app, { equipment, orders });

  app.notFound((c) => c.json(NOT_FOUND, 404));
  return app;
}

/** Runs the demo CMMS alone on a port (tests, the Airflow tier). */
export async function startDemoCmms(opts: { port?: number; host?: string } & DemoCmmsOptions = {}) {
  const app = createDemoCmmsApp(opts);
  const host = opts.host ?? '127.0.0.1';
  return new Promise<{ url: string; close(): Promise<void> }>((resolve) => {
    const server = serve({ fetch: app.fetch, port: opts.port ?? 0, hostname: host }, (info) => {
      resolve({
        url: `http://${host}:${info.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
