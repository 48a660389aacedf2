/**
 * What the real Airflow cannot be made to do on demand (expired tokens, 5xx, the v1 API), against a
 * scripted loopback HTTP server. The behaviour against a real Airflow is in test/airflow/.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkflowUnavailableError } from '../errors.ts';
import { createAirflowRunner, parseXcomValue } from './airflow-runner.ts';

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}
type Handler = (req: Seen) => { status: number; body?: unknown };

const servers: Server[] = [];

async function serve(handler: Handler): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body };
      seen.push(entry);
      const reply = handler(entry);
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body ?? {}));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise<void>((resolve) => server.close(() => resolve()));
});

const conf = { conversation_id: 'web:1', run_id: 'r1', callback_url: 'http://gw/api/bot/webhook', params: {} };
const unpaused = { status: 200, body: { dag_id: 'listar_equipos', is_paused: false } };

describe('createAirflowRunner', () => {
  it('reuses its JWT, and after a 403 on a stale token fetches a new one once', async () => {
    let tokens = 0;
    const { url, seen } = await serve((req) => {
      if (req.url === '/auth/token') return { status: 201, body: { access_token: `tok${++tokens}` } };
      if (req.authorization === 'Bearer tok1' && req.url.endsWith('/dagRuns'))
        return { status: 403, body: { detail: 'Invalid JWT token' } };
      return req.method === 'GET' ? unpaused : { status: 200, body: {} };
    });
    const runner = createAirflowRunner({ baseUrl: url, username: 'u', password: 'p', apiVersion: 'v2' });
    await runner.trigger('listar_equipos', 'r1', conf);
    await runner.close();
    expect(seen.map((s) => `${s.method} ${s.url} ${s.authorization ?? ''}`)).toEqual([
      'POST /auth/token ',
      'GET /api/v2/dags/listar_equipos Bearer tok1',
      'POST /api/v2/dags/listar_equipos/dagRuns Bearer tok1',
      'POST /auth/token ',
      'POST /api/v2/dags/listar_equipos/dagRuns Bearer tok2',
    ]);
    expect(JSON.parse(seen[4]!.body)).toEqual({ dag_run_id: 'r1', logical_date: null, conf });
  });

  it('retries 5xx with backoff, and gives up as unreachable', async () => {
    let failures = 2;
    const { url } = await serve((req) => (req.method === 'GET' && failures-- > 0 ? { status: 503 } : unpaused));
    const runner = createAirflowRunner({ baseUrl: url, apiVersion: 'v2', retries: 2, retryBaseMs: 5 });
    expect(await runner.status('listar_equipos', 'r1')).toEqual({ state: 'unknown' });

    const { url: down } = await serve(() => ({ status: 502 }));
    const failing = createAirflowRunner({ baseUrl: down, apiVersion: 'v2', retries: 1, retryBaseMs: 5 });
    const err = await failing.trigger('listar_equipos', 'r1', conf).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowUnavailableError);
    expect((err as WorkflowUnavailableError).reason).toBe('unreachable');
    await runner.close();
    await failing.close();
  });

  it('waits at least base · 2^(n−1) before retry n (jitter only lengthens it)', async () => {
    const at: number[] = [];
    let failures = 2;
    const { url } = await serve(() => {
      at.push(performance.now());
      return failures-- > 0 ? { status: 503 } : unpaused;
    });
    const runner = createAirflowRunner({ baseUrl: url, apiVersion: 'v2', retries: 2, retryBaseMs: 40 });
    await runner.status('listar_equipos', 'r1');
    await runner.close();
    expect(at).toHaveLength(3);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(39);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(79);
  });

  it('maps 422 to rejected and never logs the password', async () => {
    const { url } = await serve((req) => (req.method === 'GET' ? unpaused : { status: 422, body: { detail: 'bad' } }));
    const lines: string[] = [];
    const logger = {
      info: (o: object, m: string) => lines.push(JSON.stringify(o) + m),
      warn: (o: object, m: string) => lines.push(JSON.stringify(o) + m),
      error: (o: object, m: string) => lines.push(JSON.stringify(o) + m),
    };
    const runner = createAirflowRunner({
      baseUrl: url,
      username: 'admin',
      password: 's3cr3t-pw',
      apiVersion: 'v1',
      logger,
    });
    const err = await runner.trigger('listar_equipos', 'r1', conf).catch((e: unknown) => e);
    expect((err as WorkflowUnavailableError).reason).toBe('rejected');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toMatch(/s3cr3t-pw|YWRtaW46czNjcjN0LXB3/);
    await runner.close();
  });

  it('speaks the v1 API with basic auth and no logical_date', async () => {
    const { url, seen } = await serve((req) => (req.method === 'GET' ? unpaused : { status: 200, body: {} }));
    const runner = createAirflowRunner({ baseUrl: `${url}/`, username: 'admin', password: 'pw', apiVersion: 'v1' });
    await runner.trigger('listar_equipos', 'r1', conf);
    await runner.close();
    expect(seen[1]!.url).toBe('/api/v1/dags/listar_equipos/dagRuns');
    expect(seen[1]!.authorization).toBe(`Basic ${Buffer.from('admin:pw').toString('base64')}`);
    expect(JSON.parse(seen[1]!.body)).toEqual({ dag_run_id: 'r1', conf });
  });

  it('parses XCom values given as objects or as JSON strings', () => {
    expect(parseXcomValue({ found: false, numeroot: 'X' })).toEqual({ found: false, numeroot: 'X' });
    expect(parseXcomValue('{"found":false,"numeroot":"X"}')).toEqual({ found: false, numeroot: 'X' });
    expect(parseXcomValue('plain')).toBe('plain');
  });
});
