import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoCmms } from '../cmms/demo-server.ts';
import { UpstreamError } from '../errors.ts';
import { cmmsLogin, loginResultOf } from './cmms-login.ts';
import { LinkRefusedError, LoginUnavailableError } from './errors.ts';

let cmms: { url: string; close(): Promise<void> };
let down = false;
beforeAll(async () => {
  cmms = await startDemoCmms({ rateLimit: false, unavailable: () => down });
});
afterAll(() => cmms.close());

describe('cmmsLogin against the demo CMMS', () => {
  it('answers the user, their full name, role and token', async () => {
    const login = cmmsLogin({ baseUrl: `${cmms.url}/` });
    const result = await login('supervisor1', 'supervisor1');
    expect(result).toEqual({
      token: expect.stringMatching(/^[0-9a-f]{40}$/),
      cmmsUserId: 2,
      username: 'supervisor1',
      fullName: 'Carolina Muñoz',
      role: 'Supervisor',
    });
    expect((await login('supervisor1', 'supervisor1')).token).toBe(result.token); // one token per user
  });

  it('throws LinkRefusedError (401 link_refused) for wrong credentials', async () => {
    const error = await cmmsLogin({ baseUrl: cmms.url })('tecnico1', 'nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LinkRefusedError);
    expect(error).toMatchObject({ status: 401, code: 'link_refused' });
    expect((error as Error).message).not.toContain('nope');
  });

  it('throws a retryable 503 UpstreamError with Retry-After when the CMMS fails or is unreachable', async () => {
    down = true;
    const failing = await cmmsLogin({ baseUrl: cmms.url })('tecnico1', 'tecnico1').catch((e: unknown) => e);
    down = false;
    const unreachable = await cmmsLogin({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 2_000 })('a', 'b').catch(
      (e: unknown) => e,
    );
    for (const error of [failing, unreachable]) {
      expect(error).toBeInstanceOf(LoginUnavailableError);
      expect(error).toBeInstanceOf(UpstreamError);
      const response = (error as LoginUnavailableError).getResponse();
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBeTruthy();
      expect((error as UpstreamError).retryable).toBe(true);
    }
  });
});

describe('loginResultOf', () => {
  it('takes the role from usuarios.nombrerol without rol, and the username without names', () => {
    const body = {
      token: 'k',
      user: { id: 7, username: 'jdoe', first_name: '', last_name: '', usuarios: { nombrerol: 'Operador' } },
    };
    expect(loginResultOf(JSON.stringify(body), 'given')).toEqual({
      token: 'k',
      cmmsUserId: 7,
      username: 'jdoe',
      fullName: 'jdoe',
      role: 'Operador',
    });
  });

  it('refuses an answer without a token or a user id as a bad response', () => {
    for (const body of ['{}', '{"token":"k","user":{}}', '{"user":{"id":1}}', 'not json']) {
      expect(() => loginResultOf(body, 'x')).toThrow(UpstreamError);
    }
  });
});
