import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, describe, expect, it } from 'vitest';
import { type CmmsClient, createCmmsClient } from '../../core/cmms/client.ts';
import { createDemoCmmsApp, DEMO_CMMS_TOKEN } from '../../core/cmms/demo-server.ts';
import { silentLogger } from '../../core/log.ts';
import { workflows } from '../../core/workflows/definitions.ts';
import type { ReportFailureResult } from '../../workflows/index.ts';
import { reportMarker } from '../../workflows/reportar_falla.ts';

const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const close of closers) await close();
});

let runs = 0;
const newRunId = () => `omnibot__web_lookup__t${Date.now().toString(36)}-${++runs}`;
const isReport = (request: Request) =>
  request.method === 'POST' && new URL(request.url).pathname.endsWith('/reportar-falla/');

/**
 * The demo CMMS, handed each request in-process; `around` may change a report before the CMMS sees
 * it, and the CMMS's answer after.
 */
async function demoCmms(
  around: {
    request?: (body: Record<string, unknown>) => Record<string, unknown>;
    answer?: (response: Response) => Promise<Response>;
  } = {},
  timeoutMs?: number,
) {
  const demo = createDemoCmmsApp();
  const created: string[] = [];
  const server = serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: async (request) => {
      if (!isReport(request)) return demo.fetch(request);
      const body = (around.request ?? ((b) => b))((await request.json()) as Record<string, unknown>);
      const response = await demo.fetch(
        new Request(request.url, { method: 'POST', headers: request.headers, body: JSON.stringify(body) }),
      );
      if (response.status === 201) created.push(((await response.clone().json()) as { numeroot: string }).numeroot);
      return around.answer ? around.answer(response) : response;
    },
  });
  await new Promise((resolve) => server.once('listening', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const cmms = createCmmsClient({
    baseUrl,
    token: DEMO_CMMS_TOKEN,
    logger: silentLogger,
    ...(timeoutMs ? { timeoutMs } : {}),
  });
  closers.push(
    () => cmms.close(),
    () => new Promise((resolve) => server.close(resolve)),
  );
  return { cmms, created };
}

const report = workflows.reportar_falla!;
const params = { idequipo: 1, descripcion: 'Fuga de aceite en el cilindro', prioridad: 'Alta' };
const reportAs = (cmms: CmmsClient, runId: string, attempt: number, startedAt?: number) =>
  report(cmms, params, {
    runId,
    attempt,
    ...(startedAt !== undefined ? { startedAt } : {}),
  }) as Promise<ReportFailureResult>;

describe('failure report resumed after its process died', () => {
  it('answers with the order its first attempt created (found among many pages) and creates none', async () => {
    const { cmms, created } = await demoCmms();
    const others = async (n: number) => {
      for (let i = 0; i < n; i++) await reportAs(cmms, newRunId(), 1);
    };
    const runId = newRunId();
    const startedAt = Date.now();
    await others(60);
    const first = await reportAs(cmms, runId, 1, startedAt);
    await others(60);

    const resumed = await reportAs(cmms, runId, 2, startedAt);
    expect(resumed.order.numeroot).toBe(first.order.numeroot);
    expect(created).toHaveLength(121);
  });

  it('creates the order when the first attempt died before creating it, even after the same report by another run', async () => {
    const { cmms, created } = await demoCmms();
    const startedAt = Date.now();
    const other = await reportAs(cmms, newRunId(), 1);
    const runId = newRunId();
    const resumed = await reportAs(cmms, runId, 2, startedAt);
    expect(resumed.order.numeroot).not.toBe(other.order.numeroot);
    expect(created).toEqual([other.order.numeroot, resumed.order.numeroot]);
    expect((await cmms.findReportedFailure({ marker: reportMarker(runId) }))?.numeroot).toBe(resumed.order.numeroot);
  });

  describe('with a CMMS that does not keep the marker', () => {
    const withoutMarker = () => demoCmms({ request: ({ observacionesadicionales: _dropped, ...body }) => body });

    it('finds the order by its equipment, its exact description and its time', async () => {
      const { cmms, created } = await withoutMarker();
      const runId = newRunId();
      const startedAt = Date.now();
      const first = await reportAs(cmms, runId, 1, startedAt);
      const resumed = await reportAs(cmms, runId, 2, startedAt);
      expect(resumed.order.numeroot).toBe(first.order.numeroot);
      expect(created).toHaveLength(1);
    });

    it('does not take the same report made before the run started for its own', async () => {
      const { cmms, created } = await withoutMarker();
      const earlier = await reportAs(cmms, newRunId(), 1);
      const resumed = await reportAs(cmms, newRunId(), 2, Date.now() + 3600_000);
      expect(resumed.order.numeroot).not.toBe(earlier.order.numeroot);
      expect(created).toHaveLength(2);
    });
  });
});

describe('failure report whose create got no clear answer', () => {
  it('answers with the order the CMMS created although it answered 500', async () => {
    const { cmms, created } = await demoCmms({ answer: async () => new Response('boom', { status: 500 }) });
    const result = await reportAs(cmms, newRunId(), 1, Date.now());
    expect(created).toHaveLength(1);
    expect(result.order.numeroot).toBe(created[0]);
  });

  it('answers with the order the CMMS created although its answer never came in time', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    closers.unshift(async () => release());
    const { cmms, created } = await demoCmms(
      {
        answer: async (response) => {
          await released;
          return response;
        },
      },
      500,
    );
    const result = await reportAs(cmms, newRunId(), 1, Date.now());
    expect(created).toHaveLength(1);
    expect(result.order.numeroot).toBe(created[0]);
    release();
  });

  it('still fails when the CMMS created nothing', async () => {
    const { cmms, created } = await demoCmms({
      request: (body) => ({ ...body, idequipo: 'not-a-number' }),
      answer: async () => new Response('boom', { status: 502 }),
    });
    await expect(reportAs(cmms, newRunId(), 1, Date.now())).rejects.toMatchObject({ code: 'upstream_error' });
    expect(created).toHaveLength(0);
  });
});

describe('finding a reported failure among many orders', () => {
  /** A CMMS list of `count` orders, 50 a page; `marked` is the order carrying the marker. */
  async function manyOrders(count: number, marked: number, marker: string) {
    const pagesRead: number[] = [];
    const server = createServer((request, response) => {
      const page = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('page') ?? 1);
      pagesRead.push(page);
      const start = (page - 1) * 50;
      const results = Array.from({ length: Math.max(0, Math.min(50, count - start)) }, (_, i) => ({
        idordentrabajo: start + i + 1,
        numeroot: `OT-${start + i + 1}`,
        observacionesfinales: start + i + 1 === marked ? marker : null,
      }));
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ count, next: start + 50 < count ? `?page=${page + 1}` : null, results }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    const cmms = createCmmsClient({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      token: 't',
      logger: silentLogger,
    });
    closers.push(() => cmms.close());
    return { cmms, pagesRead };
  }

  it('reaches the newest orders past 10,000 ones', async () => {
    const marker = reportMarker('newest');
    const { cmms, pagesRead } = await manyOrders(20_000, 19_990, marker);
    expect((await cmms.findReportedFailure({ marker }))?.numeroot).toBe('OT-19990');
    expect(pagesRead).toEqual([1, 400]);
  });

  it('reads a bounded number of pages when the order is not there', async () => {
    const { cmms, pagesRead } = await manyOrders(20_000, 0, reportMarker('none'));
    expect(await cmms.findReportedFailure({ marker: reportMarker('missing') })).toBeNull();
    expect(pagesRead).toHaveLength(50);
    expect(pagesRead.slice(0, 3)).toEqual([1, 400, 399]);
  });
});
