import { request } from 'undici';
import { isRecord } from '../../lib/is-record.ts';
import { UpstreamError } from '../errors.ts';
import { parseRetryAfter } from '../http/retry-after.ts';
import { LinkRefusedError, LoginUnavailableError } from './errors.ts';
import type { CmmsLoginResult } from './types.ts';

/** `POST {CMMS_URL}/api/login/`: the same path whatever `CMMS_API_PREFIX` (see core/cmms/routes.ts). */
export const LOGIN_PATH = '/api/login/';

export type CmmsLogin = (username: string, password: string) => Promise<CmmsLoginResult>;

/** Statuses by which the CMMS refuses the credentials themselves (DRF answers 400 to wrong ones). */
const REFUSED = new Set([400, 401, 403]);
const BUSY = new Set([408, 429]);

/**
 * A user's login to the CMMS: their token, id, name and role. Refused credentials throw
 * `LinkRefusedError`; no answer, a 5xx, busy or a timeout throw `LoginUnavailableError` (503,
 * retryable); any other answer an `UpstreamError`. Never logs or echoes the credentials.
 */
export function cmmsLogin(opts: { baseUrl: string; timeoutMs?: number }): CmmsLogin {
  const url = `${opts.baseUrl.replace(/\/+$/, '')}${LOGIN_PATH}`;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return async (username, password) => {
    let status: number;
    let text: string;
    let retryAfter: string | string[] | undefined;
    try {
      const response = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ username, password }),
        signal: AbortSignal.timeout(timeoutMs),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      status = response.statusCode;
      retryAfter = response.headers['retry-after'];
      text = await response.body.text();
    } catch (error) {
      throw new LoginUnavailableError(`CMMS login failed: ${(error as Error).message}`);
    }
    if (REFUSED.has(status)) throw new LinkRefusedError();
    if (status >= 500 || BUSY.has(status)) {
      throw new LoginUnavailableError(`CMMS login answered ${status}`, {
        status,
        retryAfterMs: parseRetryAfter(retryAfter) ?? undefined,
      });
    }
    if (status < 200 || status >= 300) {
      throw new UpstreamError('cmms', `CMMS login answered ${status}`, { status, retryable: false });
    }
    return loginResultOf(text, username);
  };
}

/**
 * The login answer `{token, user:{id, username, first_name, last_name, usuarios:{nombrerol}}, rol:{nombre}}`:
 * the role from `rol.nombre`, else `user.usuarios.nombrerol`; the full name from the first and last
 * names, else the username.
 */
export function loginResultOf(text: string, givenUsername: string): CmmsLoginResult {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  const user = isRecord(body) && isRecord(body.user) ? body.user : undefined;
  const token = isRecord(body) ? body.token : undefined;
  const id = typeof user?.id === 'string' && /^\d+$/.test(user.id) ? Number(user.id) : user?.id;
  if (typeof token !== 'string' || !token || !Number.isSafeInteger(id)) {
    throw new UpstreamError('cmms', 'CMMS login answered without a token or a user id', {
      retryable: false,
      details: { badResponse: true },
    });
  }
  const str = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
  const username = str(user?.username) || givenUsername;
  const fullName = [str(user?.first_name), str(user?.last_name)].filter(Boolean).join(' ') || username;
  const rol = isRecord(body) && isRecord(body.rol) ? body.rol : undefined;
  const usuarios = isRecord(user?.usuarios) ? user.usuarios : undefined;
  const role = str(rol?.nombre) || str(usuarios?.nombrerol);
  return { token, cmmsUserId: id as number, username, fullName, role };
}
