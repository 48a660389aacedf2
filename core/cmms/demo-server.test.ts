import { describe, expect, it } from 'vitest';
import { mutatedBodies } from '../../test/support/fuzz.ts';
import { tooManyRequestsDetail } from './demo-guard.ts';
import { createDemoCmmsApp, DEMO_CMMS_TOKEN, MAX_CREATED_ORDERS, startDemoCmms } from './demo-server.ts';

/** A JSON POST as the service account (a failure report needs a user: its requester). */
const json = (body: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Token ${DEMO_CMMS_TOKEN}` },
  body,
});
const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const report = { idequipo: 1, descripcionproblemareportado: 'Fuga de aceite en el brazo', prioridad: 'Media' };

describe('demo CMMS: bodies are checked (400 with the reasons, never 500)', () => {
  const app = createDemoCmmsApp({ rateLimit: false });

  it.each([
    ['null', 'null'],
    ['an array', '[]'],
    ['a string', '"x"'],
    ['a number', '1'],
    ['not JSON', '{'],
    ['5,000 nested arrays', deepArray(5000)],
    ['fields of the wrong types', '{"username":{"a":1},"password":[1]}'],
  ])('refuses a login body that is %s with 400 and a JSON reason', async (_, body) => {
    const response = await app.request('/api/login/', json(body));
    expect(response.status).toBe(400);
    const reason = (await response.json()) as Record<string, string[]>;
    expect(Object.values(reason).flat().length).toBeGreaterThan(0);
  });

  it('still logs in with the demo credentials', async () => {
    const response = await app.request('/api/login/', json('{"username":"demo","password":"demo"}'));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ token: DEMO_CMMS_TOKEN });
  });

  it('refuses a failure report whose fields have the wrong types, naming them', async () => {
    const body = JSON.stringify({ ...report, idequipo: [[1]], prioridad: 'constructor', horometro: { x: 1 } });
    const response = await app.request('/api/ordenes-trabajo/reportar-falla/', json(body));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      idequipo: ['Se requiere un número entero válido.'],
      prioridad: ['Elija una opción válida.'],
      horometro: ['Se requiere un número entero válido.'],
    });
    const deep = JSON.stringify({ ...report, observacionesadicionales: '<deep>' }).replace('"<deep>"', deepArray(5000));
    expect((await app.request('/api/ordenes-trabajo/reportar-falla/', json(deep))).status).toBe(400);
    const missing = await app.request('/api/ordenes-trabajo/reportar-falla/', json('null'));
    expect(missing.status).toBe(400);
  });

  it('creates an order from a valid report, and completes it', async () => {
    const created = await app.request('/api/ordenes-trabajo/reportar-falla/', json(JSON.stringify(report)));
    expect(created.status).toBe(201);
    const order = (await created.json()) as { idordentrabajo: number; prioridad: string };
    expect(order.prioridad).toBe('Media');
    const bad = await app.request(`/api/ordenes-trabajo/${order.idordentrabajo}/completar/`, json('[[1]]'));
    expect(bad.status).toBe(400);
    const done = await app.request(
      `/api/ordenes-trabajo/${order.idordentrabajo}/completar/`,
      json('{"tiempototalminutos":30}'),
    );
    expect(done.status).toBe(200);
  });

  it('keeps the seed and the last MAX_CREATED_ORDERS created orders', async () => {
    const small = createDemoCmmsApp({ rateLimit: false });
    const count = async () =>
      ((await (await small.request('/api/ordenes-trabajo/')).json()) as { count: number }).count;
    const seeded = await count();
    for (let i = 0; i < MAX_CREATED_ORDERS + 5; i++) {
      await small.request('/api/ordenes-trabajo/reportar-falla/', json(JSON.stringify(report)));
    }
    expect(await count()).toBe(seeded + MAX_CREATED_ORDERS);
  });

  it('answers 200 mutated reports and logins below 500 (seeded)', async () => {
    const bodies = [
      ...mutatedBodies(report, 150, 4_242).map((body) => ['/api/ordenes-trabajo/reportar-falla/', body]),
      ...mutatedBodies({ username: 'demo', password: 'demo' }, 50, 4_243).map((body) => ['/api/login/', body]),
    ];
    for (const [path, body] of bodies) {
      const response = await app.request(path!, json(body!));
      expect(response.status, body!.slice(0, 200)).toBeLessThan(500);
    }
  });
});

describe('demo CMMS: per-client rate limit', () => {
  it('answers 429 with Retry-After past the writes of one client per minute; others are not affected', async () => {
    const app = createDemoCmmsApp({
      rateLimit: { requestsPerMinute: 100, writesPerMinute: 3 },
      clientOf: (c) => c.req.header('x-client'),
    });
    const post = (client: string) =>
      app.request('/api/ordenes-trabajo/reportar-falla/', {
        ...json(JSON.stringify(report)),
        headers: { ...json('').headers, 'x-client': client },
      });
    expect([(await post('a')).status, (await post('a')).status, (await post('a')).status]).toEqual([201, 201, 201]);
    const refused = await post('a');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const seconds = Number(refused.headers.get('retry-after'));
    expect(await refused.json()).toEqual({ detail: tooManyRequestsDetail(seconds) });
    expect((await post('b')).status).toBe(201);
  });

  it('says how long to wait in correct Spanish, as the rest of the API (usted), singular included', () => {
    expect(tooManyRequestsDetail(1)).toBe('Demasiadas solicitudes. Intente de nuevo en 1 segundo.');
    expect(tooManyRequestsDetail(42)).toBe('Demasiadas solicitudes. Intente de nuevo en 42 segundos.');
  });

  it('limits clients by their address over HTTP', async () => {
    const server = await startDemoCmms({ rateLimit: { requestsPerMinute: 2, writesPerMinute: 1 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await fetch(`${server.url}/api/ordenes-trabajo/`)).status);
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await server.close();
    }
  });
});
