import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { silentLogger } from '../log.ts';
import { errorHandler } from './errors.ts';
import { SECURITY_HEADERS, securityHeadersAndDeadline } from './middleware.ts';

function testApp(timeoutMs = 1_000): Hono {
  const app = new Hono();
  app.onError(errorHandler(silentLogger));
  app.use('*', securityHeadersAndDeadline(timeoutMs));
  app.get('/ok', (c) => c.json({ ok: true }));
  app.get('/bad', () => {
    throw new ValidationError('nope');
  });
  app.get('/slow', async (c) => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    return c.json({ late: true });
  });
  return app;
}

function expectSecurityHeaders(response: Response) {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(response.headers.get(name)).toBe(value);
}

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** The app behind a real Node server (as the gateway serves it): the headers go on the Node response. */
async function served(app: Hono): Promise<string> {
  server = createServer(getRequestListener(app.fetch));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe.each([
  ['app.request()', async (app: Hono, path: string) => app.request(path)],
  ['a Node server', async (app: Hono, path: string) => fetch(`${await served(app)}${path}`)],
])('securityHeadersAndDeadline through %s', (_name, request) => {
  it('sets the security headers on answers and on errors', async () => {
    const app = testApp();
    const ok = await request(app, '/ok');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true });
    expectSecurityHeaders(ok);
    const bad = await request(app, '/bad');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_request' });
    expectSecurityHeaders(bad);
    const missing = await request(app, '/missing');
    expect(missing.status).toBe(404);
    expectSecurityHeaders(missing);
  });

  it('answers 503 with Retry-After at the deadline, with the security headers', async () => {
    const response = await request(testApp(50), '/slow');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(await response.json()).toMatchObject({ error: 'request_timeout' });
    expectSecurityHeaders(response);
  });
});
