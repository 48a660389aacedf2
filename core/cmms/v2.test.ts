import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoV2Cmms } from '../../test/support/cmms-v2-fake.ts';
import { ConfigError, UpstreamError } from '../errors.ts';
import { createCmmsTransport } from './transport.ts';
import { type CmmsApiContext, type CmmsCall, cmmsApiVariant, createCmmsCatalogs, v2Api } from './v2.ts';

/**
 * The later CMMS API's variant against the demo's `/api/v2/` face, through the client's own HTTP
 * transport: what a user notices is the order the CMMS ends up with, and the requests it took.
 */

let cmms: Awaited<ReturnType<typeof startDemoV2Cmms>>;
beforeAll(async () => {
  cmms = await startDemoV2Cmms();
});
afterAll(() => cmms.close());

async function login(username: string): Promise<{ token: string; id: number }> {
  const response = await fetch(`${cmms.url}/api/login/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: username }),
  });
  const body = (await response.json()) as { token: string; user: { id: number } };
  return { token: body.token, id: body.user.id };
}

/** A context acting as `username` (their token and id), or with a token whose owner is unknown. */
async function contextFor(username: string, opts: { knownId?: boolean; call?: (c: CmmsCall) => CmmsCall } = {}) {
  const { token, id } = await login(username);
  const transport = createCmmsTransport({ baseUrl: cmms.url, apiPrefix: '/api/v2/', token, retries: 0 });
  const call = opts.call ? opts.call(transport.call) : transport.call;
  const ctx: CmmsApiContext = {
    call,
    actingUserId: async () => (opts.knownId === false ? undefined : id),
    catalogs: createCmmsCatalogs(),
  };
  return { ctx, close: () => transport.close() };
}

const requestsSince = (start: number) => cmms.seen.slice(start);

describe('picking the API by CMMS_API_PREFIX', () => {
  it('speaks v2 under /api/v2/ however it is slashed, and the original API otherwise', () => {
    for (const prefix of ['/api/v2/', 'api/v2', '/api/v2', ' /api/v2// '])
      expect(cmmsApiVariant(prefix).name).toBe('v2');
    for (const prefix of ['/api/', undefined, '', '/api/v20/', '/v2api/']) {
      expect(cmmsApiVariant(prefix).name).toBe('original');
    }
  });
});

describe('v2: reporting a failure', () => {
  it('creates the order with POST ordenes-trabajo/ as the reporting user, Abierta and Correctivo', async () => {
    const { ctx, close } = await contextFor('tecnico1');
    const start = cmms.seen.length;
    try {
      const order = await v2Api.createCorrectiveOrder(ctx, {
        idequipo: 1,
        descripcion: 'Fuga de aceite en el cilindro del brazo',
        observaciones:
          'Reportado por Juan Pérez vía WhatsApp\nReportada por el asistente omnibot (ref. 0123456789abcdef)',
      });
      expect(order).toMatchObject({
        numeroot: expect.stringMatching(/^OT-CORR-CAT-001-\d{14}-\d{3}$/),
        idsolicitante: 10,
        idtecnicoasignado: 10,
        solicitante_nombre: 'Juan Pérez',
        estado_nombre: 'Abierta',
        tipo_mantenimiento_nombre: 'Correctivo',
        prioridad: 'Alta',
        observacionesfinales: expect.stringContaining('(ref. 0123456789abcdef)'),
      });
      // v2 has no fechacreacionot: the report's time stands for it.
      expect(order.fechacreacionot).toBe(order.fechareportefalla);
      expect(Date.now() - Date.parse(String(order.fechareportefalla))).toBeLessThan(60_000);
      const kept = cmms.state.orders.find((o) => o.numeroot === order.numeroot);
      expect(kept?.observacionesfinales).toContain('Reportado por Juan Pérez vía WhatsApp');
      const requests = requestsSince(start);
      expect(requests).toContain('POST /api/v2/ordenes-trabajo/');
      expect(requests.some((r) => r.includes('reportar-falla'))).toBe(false);
    } finally {
      await close();
    }
  });

  it('tries once more with a new number when the CMMS refuses a number someone just took', async () => {
    const numbers: string[] = [];
    const { ctx, close } = await contextFor('operador1', {
      call: (call) => async (method, path, body) => {
        if (method === 'POST') {
          const numeroot = String((body as { numeroot: string }).numeroot);
          numbers.push(numeroot);
          // Another report takes that very number first.
          if (numbers.length === 1)
            cmms.state.orders.push({ ...cmms.state.orders[0]!, idordentrabajo: 9001, numeroot });
        }
        return call(method, path, body);
      },
    });
    try {
      const order = await v2Api.createCorrectiveOrder(ctx, {
        idequipo: 3,
        descripcion: 'Freno de servicio sin presión',
      });
      expect(numbers).toHaveLength(2);
      expect(numbers[1]).not.toBe(numbers[0]);
      expect(order.numeroot).toBe(numbers[1]);
      expect(order).toMatchObject({
        idsolicitante: 3,
        solicitante_nombre: 'Diego Fuentes',
        equipo_nombre: 'Camión Komatsu 930E',
      });
    } finally {
      await close();
    }
  });

  it('refuses an equipment the CMMS does not have as a refusal (400), creating nothing', async () => {
    const { ctx, close } = await contextFor('tecnico1');
    const before = cmms.state.orders.length;
    try {
      const error = await v2Api
        .createCorrectiveOrder(ctx, { idequipo: 999, descripcion: 'Ruido extraño' })
        .catch((e) => e);
      expect(error).toBeInstanceOf(UpstreamError);
      expect((error as UpstreamError).details?.upstreamStatus).toBe(400);
      expect(cmms.state.orders).toHaveLength(before);
    } finally {
      await close();
    }
  });

  it('with a token whose owner is unknown, fails clearly naming CMMS_USERNAME/CMMS_PASSWORD, sending nothing', async () => {
    const { ctx, close } = await contextFor('tecnico1', { knownId: false });
    const start = cmms.seen.length;
    try {
      const error = await v2Api
        .createCorrectiveOrder(ctx, { idequipo: 1, descripcion: 'Fuga de aceite' })
        .catch((e) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain('CMMS_USERNAME/CMMS_PASSWORD');
      expect(requestsSince(start)).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe('v2: finding an order by its number', () => {
  it('asks search/ordenes/ once and keeps only the exact number (case ignored)', async () => {
    const { ctx, close } = await contextFor('tecnico2');
    const start = cmms.seen.length;
    try {
      const found = await v2Api.findOrderByNumber(ctx, ' ot-corr-1 ');
      expect(found).toMatchObject({
        numeroot: 'OT-CORR-1',
        estado_nombre: 'En Progreso',
        equipo_nombre: 'Excavadora CAT 320',
      });
      expect(requestsSince(start)).toEqual(['GET /api/v2/search/ordenes/?search=ot-corr-1']);
    } finally {
      await close();
    }
  });

  it('answers nothing (the client then pages) when no result is that exact number', async () => {
    const { ctx, close } = await contextFor('tecnico2');
    try {
      expect(await v2Api.findOrderByNumber(ctx, 'OT-PREV')).toBeUndefined(); // 10 partial matches
      expect(await v2Api.findOrderByNumber(ctx, 'OT-NO-EXISTE-77')).toBeUndefined();
    } finally {
      await close();
    }
  });
});

describe('v2: changing and completing orders', () => {
  it('completes with a PATCH (Completada, time, observations, minutes), never completar/', async () => {
    const { ctx, close } = await contextFor('tecnico1');
    const start = cmms.seen.length;
    try {
      const order = await v2Api.completeOrder(ctx, 56, {
        observacionesfinales: 'Se cambió el sello del cilindro',
        tiempototalminutos: 95,
      });
      expect(order).toMatchObject({
        numeroot: 'OT-CORR-1',
        estado_nombre: 'Completada',
        observacionesfinales: 'Se cambió el sello del cilindro',
        tiempototalminutos: 95,
      });
      expect(Date.now() - Date.parse(String(order.fechacompletado))).toBeLessThan(60_000);
      const requests = requestsSince(start);
      expect(requests).toContain('PATCH /api/v2/ordenes-trabajo/56/');
      expect(requests.some((r) => r.includes('completar'))).toBe(false);
    } finally {
      await close();
    }
  });

  it('sets a state by a synonym (En Proceso is En Progreso) and assigns a technician', async () => {
    const { ctx, close } = await contextFor('supervisor1');
    try {
      const started = await v2Api.changeOrder(ctx, 58, { estado: 'En Proceso' });
      expect(started.estado_nombre).toBe('En Progreso');
      const assigned = await v2Api.changeOrder(ctx, 59, { estado: 'Asignada', idtecnicoasignado: 11 });
      expect(assigned).toMatchObject({
        estado_nombre: 'Asignada',
        idtecnicoasignado: 11,
        tecnico_nombre: 'María González',
      });
    } finally {
      await close();
    }
  });
});

describe('v2: users', () => {
  it('reads usuarios/ (open to anyone) into id, username, full name and role', async () => {
    const transport = createCmmsTransport({ baseUrl: cmms.url, apiPrefix: '/api/v2/' });
    try {
      const page = (await transport.call('GET', v2Api.listUsersRoute)) as { results: Record<string, unknown>[] };
      const users = page.results.map((raw) => v2Api.userOf(raw));
      expect(users).toContainEqual({ id: 10, username: 'tecnico1', fullName: 'Juan Pérez', role: 'Técnico' });
      expect(users).toContainEqual({ id: 2, username: 'supervisor1', fullName: 'Carolina Muñoz', role: 'Supervisor' });
      expect(v2Api.userOf({ rol_nombre: 'Técnico' })).toBeNull();
    } finally {
      await transport.close();
    }
  });
});
