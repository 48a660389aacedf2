import { serve } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import {
  type DemoWorkOrder,
  demoEquipment,
  demoWorkOrders,
  EQUIPMENT_STATES,
  MAINTENANCE_TYPES,
  SITES,
  WORK_ORDER_STATES,
} from './demo-data.ts';
import {
  CompleteSchema,
  checkedBody,
  type DemoRateLimitOptions,
  demoRateLimit,
  LoginSchema,
  ReportFailureSchema,
} from './demo-guard.ts';
import { cmmsRoutes } from './routes.ts';

/** The demo's path of a CMMS route (it serves the API under `/api/`). */
const api = (route: string) => `/api/${route}`;

/**
 * A small demo of the Somacor CMMS REST API (DRF-like: `Token` auth, `{count,next,previous,results}`
 * pages of 50, Spanish errors). The gateway serves it under `/demo-cmms` when no `CMMS_URL` is set,
 * and the Airflow tests point the DAGs at it. It is for demos: anyone can create and complete
 * orders, so bodies are checked (400 with the reasons), each client is rate limited (429), and only
 * the most recent `MAX_CREATED_ORDERS` created orders are kept.
 */
export const DEMO_CMMS_TOKEN = 'demo-cmms-token-0123456789abcdef';
export const DEMO_CMMS_USER = { username: 'demo', password: 'demo' };
const PAGE_SIZE = 50;
const NO_CREDENTIALS = { detail: 'Las credenciales de autenticación no se proveyeron.' };
/** Orders created through the API that are kept (the oldest created one goes first); the seed stays. */
export const MAX_CREATED_ORDERS = 1_000;

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
  const seeded = orders.length;
  const app = new Hono();

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

  const authenticated = (c: Context) => c.req.header('authorization') === `Token ${DEMO_CMMS_TOKEN}`;
  const page = <T>(c: Context, items: T[]) => {
    const n = Math.max(1, Number(c.req.query('page') ?? '1') || 1);
    const start = (n - 1) * PAGE_SIZE;
    if (start > 0 && start >= items.length) return c.json({ detail: 'Página inválida.' }, 404);
    const url = new URL(c.req.url);
    const link = (p: number) => {
      url.searchParams.set('page', String(p));
      return url.toString();
    };
    return c.json({
      count: items.length,
      next: start + PAGE_SIZE < items.length ? link(n + 1) : null,
      previous: n > 1 ? link(n - 1) : null,
      results: items.slice(start, start + PAGE_SIZE),
    });
  };
  const named = (names: string[], idKey: string, nameKey: string) =>
    names.map((name, i) => ({ [idKey]: i + 1, [nameKey]: name }));

  app.post(api(cmmsRoutes.login), async (c) => {
    const checked = await checkedBody(c, LoginSchema);
    if (!checked.ok) return c.json(checked.errors, checked.status);
    const body = checked.value;
    if (body.username !== DEMO_CMMS_USER.username || body.password !== DEMO_CMMS_USER.password) {
      return c.json({ non_field_errors: ['No puede iniciar sesión con las credenciales proporcionadas.'] }, 400);
    }
    return c.json({
      token: DEMO_CMMS_TOKEN,
      user: {
        id: 2,
        username: 'demo',
        first_name: 'Supervisor',
        last_name: 'Demo',
        email: 'demo@somacor.example',
        usuarios: { idrol: 2, nombrerol: 'Supervisor', departamento: 'Mantenimiento' },
      },
      rol: { id: 2, nombre: 'Supervisor', departamento: 'Mantenimiento' },
      message: 'Login exitoso',
    });
  });

  app.get(api(cmmsRoutes.workOrders), (c) => page(c, orders));
  app.get(api(cmmsRoutes.workOrder(':id')), (c) => {
    const found = orders.find((o) => o.idordentrabajo === Number(c.req.param('id')));
    return found ? c.json(found) : c.json({ detail: 'No encontrado.' }, 404);
  });

  app.post(api(cmmsRoutes.reportFailure), async (c) => {
    const checked = await checkedBody(c, ReportFailureSchema);
    if (!checked.ok) return c.json(checked.errors, checked.status);
    const body = checked.value;
    const eq = equipment.find((e) => e.idequipo === body.idequipo);
    if (!eq) return c.json({ idequipo: ['Equipo no encontrado.'] }, 400);
    const now = new Date();
    const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
    const id = Math.max(...orders.map((o) => o.idordentrabajo)) + 1;
    const created: DemoWorkOrder = {
      ...orders.find((o) => o.numeroot === 'OT-CORR-1')!,
      idordentrabajo: id,
      numeroot: `OT-CORR-${eq.codigointerno}-${stamp}-${id}`,
      idequipo: eq.idequipo,
      equipo_nombre: eq.nombreequipo,
      idtipomantenimientoot: MAINTENANCE_TYPES.indexOf('Correctivo') + 1,
      tipo_mantenimiento_nombre: 'Correctivo',
      idestadoot: WORK_ORDER_STATES.indexOf('Abierta') + 1,
      estado_nombre: 'Abierta',
      fechacreacionot: now.toISOString(),
      fechaemision: now.toISOString(),
      fechareportefalla: now.toISOString(),
      idtecnicoasignado: null,
      tecnico_nombre: null,
      prioridad: body.prioridad,
      horometro: body.horometro ?? null,
      descripcionproblemareportado: body.descripcionproblemareportado,
      observacionesfinales: body.observacionesadicionales ?? null,
    };
    orders.push(created);
    if (orders.length - seeded > MAX_CREATED_ORDERS) orders.splice(seeded, 1);
    return c.json(created, 201);
  });

  app.post(api(cmmsRoutes.completeWorkOrder(':id')), async (c) => {
    const found = orders.find((o) => o.idordentrabajo === Number(c.req.param('id')));
    if (!found) return c.json({ detail: 'No encontrado.' }, 404);
    const checked = await checkedBody(c, CompleteSchema);
    if (!checked.ok) return c.json(checked.errors, checked.status);
    const body = checked.value;
    Object.assign(found, {
      estado_nombre: 'Completada',
      idestadoot: WORK_ORDER_STATES.indexOf('Completada') + 1,
      fechacompletado: new Date().toISOString(),
      observacionesfinales: body.observacionesfinales ?? found.observacionesfinales,
      tiempototalminutos: body.tiempototalminutos ?? found.tiempototalminutos,
    });
    return c.json({ message: 'Orden de trabajo completada exitosamente', orden: found });
  });

  const guarded = (handler: (c: Context) => Response) => (c: Context) =>
    authenticated(c) ? handler(c) : c.json(NO_CREDENTIALS, 401);
  app.get(
    api(cmmsRoutes.equipment),
    guarded((c) => page(c, equipment)),
  );
  app.get(
    api(cmmsRoutes.sites),
    guarded((c) => page(c, named(SITES, 'idfaena', 'nombrefaena'))),
  );
  app.get(
    api(cmmsRoutes.equipmentStates),
    guarded((c) => page(c, named(EQUIPMENT_STATES, 'idestadoequipo', 'nombreestado'))),
  );
  app.get(api(cmmsRoutes.workOrderStates), (c) => page(c, named(WORK_ORDER_STATES, 'idestadoot', 'nombreestadoot')));
  app.get(api(cmmsRoutes.maintenanceTypes), (c) =>
    page(c, named(MAINTENANCE_TYPES, 'idtipomantenimientoot', 'nombretipomantenimientoot')),
  );

  app.notFound((c) => c.json({ detail: 'No encontrado.' }, 404));
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
