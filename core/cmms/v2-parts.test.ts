import { describe, expect, it } from 'vitest';
import { createDemoV2App } from '../../test/support/cmms-v2-fake.ts';
import { UpstreamError } from '../errors.ts';
import { startDemoCmms } from './demo-server.ts';
import { DEMO_CMMS_TOKEN } from './demo-users.ts';
import { createCmmsTransport } from './transport.ts';
import {
  type CmmsApiContext,
  type CmmsCall,
  cmmsErrorMessage,
  cmmsErrorText,
  correctiveOrderNumber,
  createCmmsCatalogs,
  loginUserId,
  originalApi,
  v2Api,
} from './v2.ts';

/** The v2 pieces on their own: the demo's v2 face, error messages, numbers, and states across CMMS seeds. */

const asDemo = { authorization: `Token ${DEMO_CMMS_TOKEN}` };

describe("the demo CMMS's /api/v2/ face", () => {
  const { app, state } = createDemoV2App();

  it('has no reportar-falla/ (405) and answers errors in the v2 shape', async () => {
    const response = await app.request('/api/v2/ordenes-trabajo/reportar-falla/', {
      method: 'POST',
      headers: { ...asDemo, 'content-type': 'application/json', 'x-timestamp': '2026-12-01T10:00:00Z' },
      body: JSON.stringify({ idequipo: 1, descripcionproblemareportado: 'Fuga de aceite' }),
    });
    expect(response.status).toBe(405);
    expect(await response.json()).toEqual({
      error: true,
      message: 'Método "POST" no permitido.',
      code: 'API_ERROR',
      details: null,
      timestamp: '2026-12-01T10:00:00Z',
    });
  });

  it('refuses an unknown token and a body it cannot take in that shape, hiding the fields (as v2 does)', async () => {
    const refused = await app.request('/api/v2/ordenes-trabajo/', { headers: { authorization: 'Token nope' } });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: true, message: 'Token inválido.', code: 'API_ERROR' });
    const bad = await app.request('/api/v2/ordenes-trabajo/', {
      method: 'POST',
      headers: { ...asDemo, 'content-type': 'application/json' },
      body: JSON.stringify({ numeroot: 'OT-CORR-1', idequipo: 1 }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: true, message: 'An error occurred', details: null });
  });

  it('answers Django’s HTML 404 to a path it does not serve (completar/, a missing trailing slash)', async () => {
    for (const path of ['/api/v2/ordenes-trabajo/56/completar/', '/api/v2/ordenes-trabajo']) {
      const response = await app.request(path, { method: 'POST', headers: asDemo });
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toContain('text/html');
    }
  });

  it('lists orders 100 a page, newest report first, and searches orders and equipment (10 at most)', async () => {
    const page = (await (await app.request('/api/v2/ordenes-trabajo/', { headers: asDemo })).json()) as {
      count: number;
      next: string | null;
      results: { numeroot: string; fechacreacionot?: string }[];
    };
    expect(page.count).toBe(state.orders.length);
    expect(page.results).toHaveLength(Math.min(100, state.orders.length));
    expect(page.next).toBeNull();
    expect(page.results[0]!.numeroot).toBe('OT-CORR-CAT-002-20261124170414-768');
    expect(page.results[0]).not.toHaveProperty('fechacreacionot');
    const search = async (q: string, what: string) => {
      const response = await app.request(`/api/v2/search/${what}/?search=${encodeURIComponent(q)}`, {
        headers: asDemo,
      });
      return response.json();
    };
    expect(await search('OT-PREV', 'ordenes')).toMatchObject({ results: { length: 10 } });
    expect(await search('', 'ordenes')).toEqual({ results: [] });
    expect(await search('cat-00', 'equipos')).toMatchObject({
      results: [{ codigointerno: 'CAT-001' }, { codigointerno: 'CAT-002' }],
    });
  });
});

describe('error messages', () => {
  it('reads both APIs’ shapes into one short line', () => {
    const v2 = { error: true, message: 'No encontrado.', code: 'API_ERROR', details: null, timestamp: '' };
    expect(cmmsErrorMessage(v2)).toBe('No encontrado.');
    expect(cmmsErrorMessage({ ...v2, message: 'Orden inválida', code: 'CMMS_ERROR' })).toBe(
      'Orden inválida (CMMS_ERROR)',
    );
    expect(cmmsErrorMessage({ error: 'Se requiere el parámetro orden_id' })).toBe('Se requiere el parámetro orden_id');
    expect(cmmsErrorMessage({ detail: 'Token inválido.' })).toBe('Token inválido.');
    expect(cmmsErrorMessage({ idequipo: ['Equipo no encontrado.'], non_field_errors: ['Datos inválidos.'] })).toBe(
      'idequipo: Equipo no encontrado.; Datos inválidos.',
    );
    expect(cmmsErrorMessage({ count: 1 })).toBeUndefined();
  });

  it('is log-safe: no line breaks or control characters, no HTML, cut at 200 characters', () => {
    const forged = cmmsErrorText(JSON.stringify({ detail: 'mal\n{"level":"info","msg":"forjado"}\u0007' }));
    expect(forged).toBe('mal {"level":"info","msg":"forjado"}');
    expect(cmmsErrorText('<html><h1>Not Found</h1></html>')).toBe('Not Found');
    const long = cmmsErrorText(JSON.stringify({ error: true, message: 'x'.repeat(5000), code: 'API_ERROR' }));
    expect(long).toHaveLength(200);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('order numbers and logins', () => {
  it('makes numbers in the CMMS’s form, never longer than its 50 characters', () => {
    const at = new Date('2026-11-24T17:04:14.512Z');
    expect(correctiveOrderNumber('CAT-002', at, 768)).toBe('OT-CORR-CAT-002-20261124170414-768');
    const long = correctiveOrderNumber('EXCAVADORA HIDRÁULICA DE FAENA NORTE 0001', at);
    expect(long.length).toBeLessThanOrEqual(50);
    expect(long).toMatch(/^OT-CORR-EXCAVADORA-\S*-20261124170414-\d{3}$/);
  });

  it('takes the acting user id from a login answer', () => {
    expect(loginUserId({ token: 't', user: { id: 10, username: 'tecnico1' } })).toBe(10);
    expect(loginUserId({ token: 't' })).toBeUndefined();
    expect(loginUserId({ token: 't', user: { id: 'x' } })).toBeUndefined();
  });
});

describe('states across CMMS seeds', () => {
  /** A CMMS seeded Pendiente / En Proceso / … (no Abierta, no Asignada); PATCH bodies are recorded. */
  function otherSeed() {
    const patches: unknown[] = [];
    let reads = 0;
    const states = ['Pendiente', 'En Proceso', 'Completada', 'Cancelada', 'En Espera de Repuestos'];
    const call: CmmsCall = async (method, path, body) => {
      if (path.startsWith('estados-orden-trabajo/')) {
        reads++;
        return {
          count: 5,
          next: null,
          results: states.map((nombreestadoot, i) => ({ idestadoot: 11 + i, nombreestadoot })),
        };
      }
      if (method === 'PATCH') {
        patches.push(body);
        return { idordentrabajo: 7, numeroot: 'OT-7', ...(body as object) };
      }
      throw new UpstreamError('cmms', `unexpected ${method} ${path}`, { status: 404 });
    };
    const ctx: CmmsApiContext = { call, actingUserId: async () => 10, catalogs: createCmmsCatalogs() };
    return { ctx, patches, reads: () => reads };
  }

  it('maps Abierta to Pendiente and En Progreso to En Proceso, reading the table once', async () => {
    const { ctx, reads } = otherSeed();
    expect(await ctx.catalogs.stateId(ctx.call, 'Abierta')).toBe(11);
    expect(await ctx.catalogs.stateId(ctx.call, 'en progreso')).toBe(12);
    expect(await ctx.catalogs.stateId(ctx.call, 'Completada')).toBe(13);
    expect(reads()).toBe(1);
  });

  it('assigns a technician where the CMMS has no Asignada state, and refuses any other missing state', async () => {
    const { ctx, patches } = otherSeed();
    await v2Api.changeOrder(ctx, 7, { estado: 'Asignada', idtecnicoasignado: 11 });
    expect(patches).toEqual([{ idtecnicoasignado: 11 }]);
    const error = await v2Api.changeOrder(ctx, 7, { estado: 'Pendiente Aprobación' }).catch((e) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).details?.badResponse).toBe(true);
  });
});

describe('the original API as a variant (the demo CMMS under /api/)', () => {
  it('reports with reportar-falla/, completes with completar/, changes state by synonym, reads users/', async () => {
    const demo = await startDemoCmms({ rateLimit: false });
    const transport = createCmmsTransport({ baseUrl: demo.url, token: DEMO_CMMS_TOKEN, retries: 0 });
    const ctx: CmmsApiContext = {
      call: transport.call,
      actingUserId: async () => undefined, // the CMMS takes the requester from the token
      catalogs: createCmmsCatalogs(),
    };
    try {
      const created = await originalApi.createCorrectiveOrder(ctx, { idequipo: 2, descripcion: 'Rotura de manguera' });
      expect(created).toMatchObject({
        estado_nombre: 'Abierta',
        idsolicitante: 1,
        equipo_nombre: 'Excavadora CAT 336',
      });
      expect(await originalApi.findOrderByNumber(ctx, String(created.numeroot))).toBeUndefined(); // no search: the client pages
      const id = Number(created.idordentrabajo);
      expect(await originalApi.changeOrder(ctx, id, { estado: 'En Proceso' })).toMatchObject({
        estado_nombre: 'En Progreso',
      });
      const done = await originalApi.completeOrder(ctx, id, {
        observacionesfinales: 'Manguera cambiada',
        tiempototalminutos: 40,
      });
      expect(done).toMatchObject({ estado_nombre: 'Completada', tiempototalminutos: 40 });
      const users = (await transport.call('GET', originalApi.listUsersRoute)) as { results: Record<string, unknown>[] };
      expect(users.results.map((u) => originalApi.userOf(u))).toContainEqual({
        id: 10,
        username: 'tecnico1',
        fullName: 'Juan Pérez',
        role: 'Técnico',
      });
    } finally {
      await transport.close();
      await demo.close();
    }
  });
});
