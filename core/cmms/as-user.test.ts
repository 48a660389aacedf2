import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamError } from '../errors.ts';
import { workflowErrorOf } from '../workflows/definitions.ts';
import { createCmmsClient } from './client.ts';

/**
 * `CmmsClient.asUser(token)`: the same CMMS as a linked user, over the service client's HTTP agent and
 * caches, never logging in as the service account; its failures say they were the user's.
 */

interface Seen {
  method: string;
  path: string;
  auth: string | undefined;
}

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

const ORDERS = { count: 1, next: null, results: [{ idordentrabajo: 7, numeroot: 'OT-7', estado_nombre: 'Abierta' }] };
const STATES = [
  { idestadoot: 2, nombreestadoot: 'Asignada' },
  { idestadoot: 3, nombreestadoot: 'En Progreso' },
];

/** A CMMS that knows the service token `svc` (and its login) and the user token `user`; `nope` is refused. */
async function cmms(statusFor: (seen: Seen) => number = () => 200) {
  const seen: Seen[] = [];
  server = createServer((req, res) => {
    req.resume();
    const entry = { method: req.method!, path: req.url!.replace(/^\/api\//, ''), auth: req.headers.authorization };
    seen.push(entry);
    const reply = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (entry.auth === 'Token nope') return reply(401, { detail: 'Token inválido.' });
    const status = statusFor(entry);
    if (status !== 200) return reply(status, { detail: 'Usted no tiene permiso para realizar esta acción.' });
    if (entry.path === 'login/') return reply(200, { token: 'svc' });
    if (entry.path.startsWith('estados-orden-trabajo/')) return reply(200, STATES);
    if (entry.path.startsWith('ordenes-trabajo/?')) return reply(200, ORDERS);
    if (entry.path === 'ordenes-trabajo/7/') return reply(200, { ...ORDERS.results[0], estado_nombre: 'En Progreso' });
    return reply(404, { detail: 'No encontrado.' });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = createCmmsClient({ baseUrl, token: 'svc', username: 'omnibot', password: 'pw', retries: 0 });
  return { client, seen };
}

describe('CmmsClient.asUser', () => {
  it("sends the user's token, and shares the service client's caches (order ids, state ids)", async () => {
    const { client, seen } = await cmms();
    try {
      await client.listWorkOrders(); // fills the number → id cache
      await client.updateWorkOrder(7, { estado: 'Asignada' }); // reads the states once
      const user = client.asUser('user');
      const before = seen.length;
      expect((await user.findWorkOrder('OT-7'))?.estado_nombre).toBe('En Progreso');
      expect((await user.updateWorkOrder(7, { estado: 'En Progreso' })).numeroot).toBe('OT-7');
      expect(seen.slice(before)).toEqual([
        { method: 'GET', path: 'ordenes-trabajo/7/', auth: 'Token user' },
        { method: 'PATCH', path: 'ordenes-trabajo/7/', auth: 'Token user' },
      ]);
      await user.close(); // closes nothing: the service client still works
      expect(await client.listWorkOrders()).toHaveLength(1);
    } finally {
      await client.close();
    }
  });

  it('a refused user token (401) is identity_expired: no service login, no second try', async () => {
    const { client, seen } = await cmms();
    try {
      const error = await client
        .asUser('nope')
        .listEquipment()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UpstreamError);
      expect((error as UpstreamError).details).toMatchObject({
        upstreamStatus: 401,
        identityExpired: true,
        asUser: true,
      });
      expect(workflowErrorOf(error).code).toBe('identity_expired');
      expect(seen.map((s) => s.path)).toEqual(['equipos/?page=1']);
    } finally {
      await client.close();
    }
  });

  it("a user's 403 keeps its status and reads as not_allowed; the service account's 403 stays cmms_auth", async () => {
    const { client } = await cmms((seen) => (seen.path.startsWith('users/') ? 403 : 200));
    try {
      const mine = await client
        .asUser('user')
        .listUsers()
        .catch((e: unknown) => e);
      expect((mine as UpstreamError).details).toMatchObject({ upstreamStatus: 403, asUser: true });
      expect((mine as UpstreamError).details?.identityExpired).toBeUndefined();
      expect(workflowErrorOf(mine).code).toBe('not_allowed');
      expect(workflowErrorOf(await client.listUsers().catch((e: unknown) => e)).code).toBe('cmms_auth');
    } finally {
      await client.close();
    }
  });
});
