import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamError } from '../errors.ts';
import { workflowErrorOf } from '../workflows/definitions.ts';
import type { EquipmentSummary } from '../workflows/results.ts';
import { createCmmsClient, matchEquipment } from './client.ts';

const equipment = (idequipo: number, codigointerno: string, nombreequipo: string): EquipmentSummary => ({
  idequipo,
  codigointerno,
  nombreequipo,
  marca: 'Caterpillar',
  modelo: null,
  estado_nombre: null,
  faena_nombre: null,
});

const fleet = [
  equipment(1, 'CAT-001', 'Excavadora hidráulica'),
  equipment(2, 'CAT-0011', 'Camión minero'),
  equipment(3, 'KOM-002', 'Camión aljibe'),
];

describe('matchEquipment', () => {
  it('lists every equipment for an empty query', () => {
    expect(matchEquipment(fleet, '  ')).toEqual(fleet);
  });

  it('prefers an exact internal code, whatever the case', () => {
    expect(matchEquipment(fleet, 'cat-001').map((e) => e.idequipo)).toEqual([1]);
  });

  it('otherwise needs every word in the code, name, brand or model, accents ignored', () => {
    expect(matchEquipment(fleet, 'CAMION').map((e) => e.idequipo)).toEqual([2, 3]);
    expect(matchEquipment(fleet, 'camión aljibe').map((e) => e.idequipo)).toEqual([3]);
    expect(matchEquipment(fleet, 'hidraulica caterpillar').map((e) => e.idequipo)).toEqual([1]);
    expect(matchEquipment(fleet, 'grúa')).toEqual([]);
  });
});

describe('CMMS client retries', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  /** A CMMS that answers 503 to the first `failures` requests, then an empty page; it records each request. */
  async function flakyCmms(failures: number, okBody?: string) {
    const seen: string[] = [];
    server = createServer((req: IncomingMessage, res) => {
      seen.push(`${req.method} ${req.url}`);
      req.resume();
      const fail = seen.length <= failures;
      res.writeHead(fail ? 503 : 200, { 'content-type': 'application/json' });
      const ok = okBody ?? (req.method === 'GET' ? '{"count":0,"next":null,"results":[]}' : '{"orden":{}}');
      res.end(fail ? '{"detail":"busy"}' : ok);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const client = createCmmsClient({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      token: 't',
      retries: 2,
    });
    return { client, seen };
  }

  it('retries a GET after a 5xx, with backoff, and answers once the CMMS is back', async () => {
    const { client, seen } = await flakyCmms(2);
    try {
      expect(await client.findWorkOrder('OT-CORR-9')).toBeNull();
      expect(seen).toHaveLength(3);
    } finally {
      await client.close();
    }
  });

  it('gives up after its retries with a retryable upstream error carrying the status', async () => {
    const { client, seen } = await flakyCmms(10);
    try {
      const error = await client.findWorkOrder('OT-CORR-9').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).toMatchObject({ retryable: true, details: { upstream: 'cmms', upstreamStatus: 503 } });
      expect(seen).toHaveLength(3);
    } finally {
      await client.close();
    }
  });

  it('never repeats a POST: the CMMS may have applied it', async () => {
    const { client, seen } = await flakyCmms(1);
    try {
      await expect(client.reportFailure({ idequipo: 1, descripcion: 'Fuga' })).rejects.toBeInstanceOf(UpstreamError);
      expect(seen).toHaveLength(1);
    } finally {
      await client.close();
    }
  });

  it('does not retry a 2xx that is not JSON: a bad response, as the DAGs call it', async () => {
    const { client, seen } = await flakyCmms(0, '<html>proxy</html>');
    try {
      const error = await client.findWorkOrder('OT-CORR-9').catch((e: unknown) => e);
      expect(error).toMatchObject({ retryable: false, details: { badResponse: true } });
      expect(seen).toHaveLength(1);
    } finally {
      await client.close();
    }
  });
});

describe('CMMS client sessions (CMMS_USERNAME/CMMS_PASSWORD)', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  /**
   * A CMMS whose login (`/api/login/`) answers `logins` in turn (the last one repeated) and whose other
   * routes take the token `accepted`; `urls` records every request's path.
   */
  async function sessionCmms(logins: { status: number; body: unknown }[], accepted: string, apiPrefix?: string) {
    const seen: string[] = [];
    const urls: string[] = [];
    server = createServer((req: IncomingMessage, res) => {
      req.resume();
      urls.push(`${req.method} ${req.url}`);
      const login = req.url === '/api/login/';
      seen.push(login ? 'login' : `${req.headers.authorization ?? 'anonymous'}`);
      const answer = login
        ? logins[Math.min(seen.filter((s) => s === 'login').length, logins.length) - 1]!
        : req.headers.authorization === `Token ${accepted}`
          ? { status: 200, body: [{ idequipo: 1, nombreequipo: 'Excavadora' }] }
          : { status: 401, body: { detail: 'Token inválido.' } };
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const client = createCmmsClient({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      username: 'omnibot',
      password: 'secreto',
      ...(apiPrefix ? { apiPrefix } : {}),
    });
    return { client, seen, urls };
  }

  const token = (key: string) => ({ status: 200, body: { token: key } });

  it('logs in again once when its session token is refused, then retries the call', async () => {
    const { client, seen } = await sessionCmms([token('old'), token('new')], 'new');
    try {
      expect(await client.listEquipment()).toHaveLength(1);
      expect(seen).toEqual(['login', 'Token old', 'login', 'Token new']);
    } finally {
      await client.close();
    }
  });

  it('does not log in a third time: a token refused again is cmms_auth', async () => {
    const { client, seen } = await sessionCmms([token('old')], 'never');
    try {
      expect(workflowErrorOf(await client.listEquipment().catch((e: unknown) => e)).code).toBe('cmms_auth');
      expect(seen).toEqual(['login', 'Token old', 'login', 'Token old']);
    } finally {
      await client.close();
    }
  });

  it('reads a refused login (DRF 400) as cmms_auth, not as data to check', async () => {
    const refused = { status: 400, body: { non_field_errors: ['No puede iniciar sesión.'] } };
    const { client } = await sessionCmms([refused], 'never');
    try {
      const error = await client.findWorkOrder('OT-1').catch((e: unknown) => e);
      expect(error).toMatchObject({ retryable: false, details: { upstreamStatus: 401 } });
      expect(workflowErrorOf(error).code).toBe('cmms_auth');
    } finally {
      await client.close();
    }
  });

  it('reads a login answer without a token as a bad response', async () => {
    const { client } = await sessionCmms([{ status: 200, body: { detail: 'ok' } }], 'never');
    try {
      expect(workflowErrorOf(await client.listEquipment().catch((e: unknown) => e)).code).toBe('cmms_bad_response');
    } finally {
      await client.close();
    }
  });

  it('logs in before its first call: a service account never asks anonymously', async () => {
    const { client, seen } = await sessionCmms([token('s')], 's');
    try {
      expect(await client.findWorkOrder('OT-CORR-1')).toBeNull();
      expect(seen).toEqual(['login', 'Token s']);
    } finally {
      await client.close();
    }
  });

  it('logs in at /api/login/ also when the API prefix is /api/v2/ (the later CMMS keeps its login there)', async () => {
    const { client, seen, urls } = await sessionCmms([token('v2')], 'v2', '/api/v2/');
    try {
      expect(await client.listEquipment()).toHaveLength(1);
      expect(seen).toEqual(['login', 'Token v2']);
      expect(urls).toEqual(['POST /api/login/', 'GET /api/v2/equipos/?page=1']);
    } finally {
      await client.close();
    }
  });

  it('logs in again after its token was logged out, without sending the refused token to the login', async () => {
    const logins: (string | undefined)[] = [];
    server = createServer((req: IncomingMessage, res) => {
      req.resume();
      if (req.url === '/api/login/') logins.push(req.headers.authorization);
      const ok = req.url === '/api/login/' || req.headers.authorization === 'Token fresh';
      const body = req.url === '/api/login/' ? { token: 'fresh' } : ok ? [] : { detail: 'Token inválido.' };
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const client = createCmmsClient({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      token: 'logged-out',
      username: 'omnibot',
      password: 'secreto',
    });
    try {
      expect(await client.findWorkOrder('OT-CORR-1')).toBeNull();
      expect(logins).toEqual([undefined]);
    } finally {
      await client.close();
    }
  });
});
