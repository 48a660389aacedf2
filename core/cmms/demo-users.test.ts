import { describe, expect, it } from 'vitest';
import { createDemoCmmsApp, DEMO_CMMS_TOKEN, WRONG_CREDENTIALS } from './demo-server.ts';

/** Users, roles and tokens of the demo CMMS, as the Somacor CMMS has them (CMMS-API.md). */

type App = ReturnType<typeof createDemoCmmsApp>;
const newApp = () => createDemoCmmsApp({ rateLimit: false });
const auth = (token: string) => ({ authorization: `Token ${token}` });
const send = (app: App, method: string, path: string, token?: string, body?: unknown) =>
  app.request(`/api/${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? auth(token) : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
const login = async (app: App, username: string, password = username) =>
  (await (await send(app, 'POST', 'login/', undefined, { username, password })).json()) as { token: string };
const tokenOf = async (app: App, username: string) => (await login(app, username)).token;

const NO_CREDENTIALS = { detail: 'Las credenciales de autenticación no se proveyeron.' };
const INVALID_TOKEN = { detail: 'Token inválido.' };
const NO_PERMISSION = { detail: 'Usted no tiene permiso para realizar esta acción.' };
const report = { idequipo: 1, descripcionproblemareportado: 'Fuga de aceite en el brazo', prioridad: 'Media' };

describe('demo CMMS: login', () => {
  it.each([
    ['tecnico1', 10, 'Juan', 'Pérez', 3, 'Técnico', 'Mantenimiento'],
    ['supervisor1', 2, 'Carolina', 'Muñoz', 2, 'Supervisor', 'Mantenimiento'],
    ['operador1', 3, 'Diego', 'Fuentes', 4, 'Operador', 'Operaciones'],
  ])(
    'logs %s in with the CMMS answer: token, user with its role, rol, message',
    async (username, id, first, last, idrol, role, dept) => {
      const response = await send(newApp(), 'POST', 'login/', undefined, { username, password: username });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { token: string };
      expect(body).toEqual({
        token: expect.stringMatching(/^[0-9a-f]{40}$/),
        user: {
          id,
          username,
          first_name: first,
          last_name: last,
          email: `${username}@somacor.example`,
          usuarios: { idrol, nombrerol: role, departamento: dept },
        },
        rol: { id: idrol, nombre: role, departamento: dept },
        message: 'Login exitoso',
      });
    },
  );

  it('refuses a wrong password or an unknown user with 400 and DRF non_field_errors', async () => {
    const app = newApp();
    for (const [username, password] of [
      ['tecnico1', 'supervisor1'],
      ['nadie', 'nadie'],
      ['TECNICO1', 'tecnico1'],
    ]) {
      const response = await send(app, 'POST', 'login/', undefined, { username, password });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual(WRONG_CREDENTIALS);
    }
    expect(WRONG_CREDENTIALS).toEqual({
      non_field_errors: ['No puede iniciar sesión con las credenciales proporcionadas.'],
    });
  });

  it('answers one token per user: a second login gives the same one, another user another', async () => {
    const app = newApp();
    const first = await tokenOf(app, 'tecnico1');
    expect(await tokenOf(app, 'tecnico1')).toBe(first);
    expect(await tokenOf(app, 'supervisor1')).not.toBe(first);
    expect(await tokenOf(app, 'demo')).toBe(DEMO_CMMS_TOKEN);
  });
});

describe('demo CMMS: logout and tokens', () => {
  it('deletes the caller’s token: it is refused afterwards, and a new login makes a new one', async () => {
    const app = newApp();
    const token = await tokenOf(app, 'tecnico1');
    expect((await send(app, 'GET', 'equipos/', token)).status).toBe(200);
    const out = await send(app, 'POST', 'logout/', token);
    expect(out.status).toBe(204);
    for (const path of ['equipos/', 'ordenes-trabajo/']) {
      const refused = await send(app, 'GET', path, token);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toEqual(INVALID_TOKEN);
    }
    const renewed = await tokenOf(app, 'tecnico1');
    expect(renewed).not.toBe(token);
    expect((await send(app, 'GET', 'equipos/', renewed)).status).toBe(200);
    expect((await send(app, 'POST', 'logout/')).status).toBe(401);
  });

  it('a logout of the service account breaks its token until the account logs in again (same key)', async () => {
    const app = newApp();
    expect((await send(app, 'POST', 'logout/', DEMO_CMMS_TOKEN)).status).toBe(204);
    expect((await send(app, 'GET', 'equipos/', DEMO_CMMS_TOKEN)).status).toBe(401);
    expect(await tokenOf(app, 'demo')).toBe(DEMO_CMMS_TOKEN);
    expect((await send(app, 'GET', 'equipos/', DEMO_CMMS_TOKEN)).status).toBe(200);
  });

  it('takes `Token <key>` only: Bearer is no credentials, a bad header is refused', async () => {
    const app = newApp();
    const token = await tokenOf(app, 'operador1');
    const as = (authorization: string) => app.request('/api/equipos/', { headers: { authorization } });
    const bearer = await as(`Bearer ${token}`);
    expect(bearer.status).toBe(401);
    expect(await bearer.json()).toEqual(NO_CREDENTIALS);
    expect(bearer.headers.get('www-authenticate')).toBe('Token');
    expect((await as('Token')).status).toBe(401);
    expect((await as(`Token ${token} x`)).status).toBe(401);
    expect(await (await as('Token nope')).json()).toEqual(INVALID_TOKEN);
    expect((await as(`token ${token}`)).status).toBe(200);
  });
});

describe('demo CMMS: permissions by role', () => {
  it.each(['equipos/', 'faenas/', 'tipos-equipo/', 'estados-equipo/'])('%s needs a user (any role)', async (path) => {
    const app = newApp();
    expect(await (await send(app, 'GET', path)).json()).toEqual(NO_CREDENTIALS);
    for (const user of ['operador1', 'tecnico1', 'supervisor1']) {
      expect((await send(app, 'GET', path, await tokenOf(app, user))).status).toBe(200);
    }
  });

  it('users/ is for administrators and supervisors: a page of users with their roles', async () => {
    const app = newApp();
    for (const user of ['demo', 'supervisor1']) {
      const response = await send(app, 'GET', 'users/', await tokenOf(app, user));
      expect(response.status).toBe(200);
      const page = (await response.json()) as { count: number; next: null; previous: null; results: unknown[] };
      expect(page).toMatchObject({ count: page.results.length, next: null, previous: null });
      expect(page.results).toContainEqual(
        expect.objectContaining({
          id: 10,
          username: 'tecnico1',
          usuarios: expect.objectContaining({ idrol: 3, nombrerol: 'Técnico' }),
        }),
      );
    }
    for (const user of ['tecnico1', 'operador1']) {
      const refused = await send(app, 'GET', 'users/', await tokenOf(app, user));
      expect(refused.status).toBe(403);
      expect(await refused.json()).toEqual(NO_PERMISSION);
    }
    expect((await send(app, 'GET', 'users/')).status).toBe(401);
  });

  it('roles/ is for administrators only', async () => {
    const app = newApp();
    const roles = (await (await send(app, 'GET', 'roles/', DEMO_CMMS_TOKEN)).json()) as {
      results: { nombrerol: string }[];
    };
    expect(roles.results.map((r) => r.nombrerol)).toEqual([
      'Administrador',
      'Supervisor',
      'Técnico',
      'Operador',
      'Solicitante',
    ]);
    expect((await send(app, 'GET', 'roles/', await tokenOf(app, 'supervisor1'))).status).toBe(403);
  });
});

describe('demo CMMS: work orders as a person', () => {
  it('a failure report needs a user, who is its requester and its technician; its observations are kept', async () => {
    const app = newApp();
    const anonymous = await send(app, 'POST', 'ordenes-trabajo/reportar-falla/', undefined, report);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual(NO_CREDENTIALS);
    const body = { ...report, observacionesadicionales: 'Reportado por Juan Pérez vía WhatsApp' };
    const created = await send(app, 'POST', 'ordenes-trabajo/reportar-falla/', await tokenOf(app, 'tecnico1'), body);
    expect(created.status).toBe(201);
    const order = (await created.json()) as { idordentrabajo: number };
    expect(order).toMatchObject({
      estado_nombre: 'Abierta',
      tipo_mantenimiento_nombre: 'Correctivo',
      idsolicitante: 10,
      solicitante_nombre: 'Juan Pérez',
      idtecnicoasignado: 10,
      tecnico_nombre: 'Juan Pérez',
      observacionesfinales: 'Reportado por Juan Pérez vía WhatsApp',
    });
    expect(await (await send(app, 'GET', `ordenes-trabajo/${order.idordentrabajo}/`)).json()).toEqual(order);
  });

  it('completar/ answers {message, orden}: Completada, with its date, observations and minutes', async () => {
    const app = newApp();
    const token = await tokenOf(app, 'tecnico1');
    const done = await send(app, 'POST', 'ordenes-trabajo/56/completar/', token, {
      observacionesfinales: 'Sello del cilindro cambiado',
      tiempototalminutos: 45,
    });
    expect(done.status).toBe(200);
    const { message, orden } = (await done.json()) as { message: string; orden: Record<string, unknown> };
    expect(message).toBe('Orden de trabajo completada exitosamente');
    expect(orden).toMatchObject({
      numeroot: 'OT-CORR-1',
      estado_nombre: 'Completada',
      idestadoot: 4,
      observacionesfinales: 'Sello del cilindro cambiado',
      tiempototalminutos: 45,
    });
    expect(Date.parse(String(orden.fechacompletado))).not.toBeNaN();
    expect((await send(app, 'POST', 'ordenes-trabajo/99999/completar/', token, {})).status).toBe(404);
  });

  it('PATCH assigns a technician and a state, naming them; unknown ones are refused', async () => {
    const app = newApp();
    const token = await tokenOf(app, 'supervisor1');
    const patched = await send(app, 'PATCH', 'ordenes-trabajo/59/', token, { idtecnicoasignado: 11, idestadoot: 2 });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({
      numeroot: 'OT-PREV-4',
      idtecnicoasignado: 11,
      tecnico_nombre: 'María González',
      idestadoot: 2,
      estado_nombre: 'Asignada',
    });
    expect(await (await send(app, 'GET', 'ordenes-trabajo/59/')).json()).toMatchObject({
      tecnico_nombre: 'María González',
    });
    const refused = await send(app, 'PATCH', 'ordenes-trabajo/59/', token, { idtecnicoasignado: 999, idestadoot: 9 });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      idtecnicoasignado: ['Clave primaria "999" inválida - objeto no existe.'],
      idestadoot: ['Clave primaria "9" inválida - objeto no existe.'],
    });
    expect((await send(app, 'PATCH', 'ordenes-trabajo/59/', token, { idestadoot: 'x' })).status).toBe(400);
    expect((await send(app, 'PATCH', 'ordenes-trabajo/99999/', token, {})).status).toBe(404);
    const unassigned = await send(app, 'PATCH', 'ordenes-trabajo/59/', token, { idtecnicoasignado: null });
    expect(await unassigned.json()).toMatchObject({ idtecnicoasignado: null, tecnico_nombre: null });
  });

  it('a PATCH counts as a write for the rate limit', async () => {
    const app = createDemoCmmsApp({ rateLimit: { requestsPerMinute: 100, writesPerMinute: 1 }, clientOf: () => 'a' });
    expect((await send(app, 'PATCH', 'ordenes-trabajo/59/', undefined, { prioridad: 'Alta' })).status).toBe(200);
    expect((await send(app, 'PATCH', 'ordenes-trabajo/59/', undefined, { prioridad: 'Baja' })).status).toBe(429);
  });
});

describe('demo CMMS: the seed gives each role something to do', () => {
  it('tecnico1 has an order to start and one in progress; two open orders have no technician', async () => {
    const app = newApp();
    const orders: Record<string, unknown>[] = [];
    for (const n of [1, 2]) {
      const page = (await (await send(app, 'GET', `ordenes-trabajo/?page=${n}`)).json()) as {
        results: Record<string, unknown>[];
      };
      orders.push(...page.results);
    }
    const open = orders.filter((o) => !['Completada', 'Cancelada'].includes(String(o.estado_nombre)));
    const summary = (o: Record<string, unknown>) => [o.numeroot, o.estado_nombre];
    expect(open.filter((o) => o.idtecnicoasignado === 10).map(summary)).toEqual([
      ['OT-CORR-1', 'En Progreso'],
      ['OT-PREV-5', 'Asignada'],
    ]);
    expect(open.filter((o) => o.idtecnicoasignado === null).map((o) => o.numeroot)).toEqual([
      'OT-PREV-4',
      'OT-CORR-CAT-002-20261124170414-768',
    ]);
    expect(open.filter((o) => o.idsolicitante === 3).length).toBe(3); // operador1's failure reports
  });
});
