import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createCmmsClient } from './client.ts';
import { ORDER_ID_CACHE_MS, ORDER_ID_CACHE_SIZE, OrderIdCache, primaryKeyOf } from './order-ids.ts';

describe('the primary-key rule', () => {
  it.each([
    ['18', 18],
    ['OT-18', 18],
    ['OT 18', 18],
    ['ot_18', 18],
    [' ot18 ', 18],
    ['OT-007', 7],
  ])('"%s" may be the order whose id is %i', (numeroot, id) => {
    expect(primaryKeyOf(numeroot)).toBe(id);
  });

  it.each(['OT-CORR-18', 'OT-0', '0', 'OT-18-2', 'OT-1234567890', 'PT-18', '', 'OT-١٨'])(
    '"%s" is no primary key',
    (numeroot) => {
      expect(primaryKeyOf(numeroot)).toBeUndefined();
    },
  );
});

describe('the number → id cache', () => {
  it('has the catalog bounds', () => {
    expect([ORDER_ID_CACHE_MS, ORDER_ID_CACHE_SIZE]).toEqual([300_000, 5_000]);
  });

  it('remembers orders by number, case ignored, for its TTL only', () => {
    let now = 1_000;
    const cache = new OrderIdCache({ ttlMs: 300_000, now: () => now });
    cache.remember([
      { idordentrabajo: 12, numeroot: 'OT-CORR-B' },
      { numeroot: 'OT-NO-ID' },
      'x',
      { idordentrabajo: '13' },
    ]);
    expect(cache.get(' ot-corr-b ')).toBe(12);
    expect(cache.size).toBe(1);
    now += 299_999;
    expect(cache.get('OT-CORR-B')).toBe(12);
    now += 1;
    expect(cache.get('OT-CORR-B')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps the newest pairs when full, and forgets on demand', () => {
    const cache = new OrderIdCache({ size: 2 });
    cache.remember([1, 2, 3].map((id) => ({ idordentrabajo: id, numeroot: `OT-${id}` })));
    expect([cache.get('OT-1'), cache.get('OT-2'), cache.get('OT-3')]).toEqual([undefined, 2, 3]);
    cache.forget('ot-3');
    expect(cache.get('OT-3')).toBeUndefined();
  });
});

/**
 * The request count of a status check against a CMMS of 250 orders (5 pages of 50, each order with
 * nested activities as the real API answers, about 1.7 KB): what `findWorkOrder` costs now.
 */
const pageUrl = (n: number) => `/api/ordenes-trabajo/?page=${n}`;

describe('what a status check reads', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  const activity = (n: number) => ({
    idactividadot: n,
    descripcionactividad: 'Revisión del sistema hidráulico '.repeat(6),
  });
  const orders = Array.from({ length: 250 }, (_, i) => ({
    idordentrabajo: i + 1,
    numeroot: `OT-CORR-CAT-001-20261124170414-${i + 1}`,
    estado_nombre: 'Abierta',
    equipo_nombre: 'Excavadora',
    actividades: [activity(1), activity(2), activity(3), activity(4), activity(5), activity(6), activity(7)],
  }));

  async function bigCmms() {
    const seen: string[] = [];
    let bytes = 0;
    server = createServer((req, res) => {
      req.resume();
      const url = new URL(req.url ?? '/', 'http://cmms');
      seen.push(`${url.pathname}${url.search}`);
      const detail = /^\/api\/ordenes-trabajo\/(\d+)\/$/.exec(url.pathname);
      let status = 200;
      let body: unknown;
      if (detail) {
        body = orders.find((o) => o.idordentrabajo === Number(detail[1]));
        if (!body) [status, body] = [404, { detail: 'No encontrado.' }];
      } else {
        const page = Number(url.searchParams.get('page') ?? '1');
        const next = page < 5 ? `http://${req.headers.host}/api/ordenes-trabajo/?page=${page + 1}` : null;
        body = { count: orders.length, next, previous: null, results: orders.slice((page - 1) * 50, page * 50) };
      }
      const text = JSON.stringify(body);
      bytes += Buffer.byteLength(text);
      res.writeHead(status, { 'content-type': 'application/json' }).end(text);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const client = createCmmsClient({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      token: 't',
    });
    /** The requests and bytes one call makes. */
    const measure = async <T>(call: () => Promise<T>) => {
      const [before, bytesBefore] = [seen.length, bytes];
      const result = await call();
      return { result, requests: seen.slice(before), bytes: bytes - bytesBefore };
    };
    return { client, measure };
  }

  it('reads pages up to the order’s only, then 1 detail for the same number', async () => {
    const { client, measure } = await bigCmms();
    try {
      const first = await measure(() => client.findWorkOrder('OT-CORR-CAT-001-20261124170414-120'));
      expect(first.result?.idordentrabajo).toBe(120);
      expect(first.requests).toEqual([1, 2, 3].map(pageUrl));
      const again = await measure(() => client.findWorkOrder('ot-corr-cat-001-20261124170414-120'));
      expect(again.result?.idordentrabajo).toBe(120);
      expect(again.requests).toEqual(['/api/ordenes-trabajo/120/']);
      expect(again.bytes * 100).toBeLessThan(first.bytes); // ~1.7 KB instead of ~260 KB
      // Any number of a page already read is cached too.
      expect((await measure(() => client.findWorkOrder('OT-CORR-CAT-001-20261124170414-7'))).requests).toHaveLength(1);
    } finally {
      await client.close();
    }
  });

  it('reads 1 detail for a number the pending list read', async () => {
    const { client, measure } = await bigCmms();
    try {
      expect((await measure(() => client.listPendingWorkOrders())).requests).toHaveLength(5);
      const check = await measure(() => client.findWorkOrder('OT-CORR-CAT-001-20261124170414-250'));
      expect(check.result?.numeroot).toBe('OT-CORR-CAT-001-20261124170414-250');
      expect(check.requests).toEqual(['/api/ordenes-trabajo/250/']);
    } finally {
      await client.close();
    }
  });

  it('finds "OT 18" as the order whose id is 18, in 1 request; an unknown number still reads every page', async () => {
    const { client, measure } = await bigCmms();
    try {
      const byId = await measure(() => client.findWorkOrder('OT-18'));
      expect(byId.result?.numeroot).toBe('OT-CORR-CAT-001-20261124170414-18');
      expect(byId.requests).toEqual(['/api/ordenes-trabajo/18/']);
      const unknown = await measure(() => client.findWorkOrder('OT-999'));
      expect(unknown.result).toBeNull();
      expect(unknown.requests).toEqual(['/api/ordenes-trabajo/999/', ...[1, 2, 3, 4, 5].map(pageUrl)]);
    } finally {
      await client.close();
    }
  });
});
