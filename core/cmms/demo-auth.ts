import type { Context, MiddlewareHandler } from 'hono';
import { NO_CREDENTIALS, NO_PERMISSION } from './demo-http.ts';
import type { DemoAccounts, DemoRole, DemoUser } from './demo-users.ts';

/**
 * DRF's `TokenAuthentication` and the CMMS's permissions, for the demo. As in DRF, authentication runs
 * on every route: a `Token` header with an unknown key is a 401 even where the route is open, while
 * another scheme (`Bearer …`) is no credentials at all (anonymous; a 401 where a login is needed).
 */

const users = new WeakMap<Request, DemoUser>();

const refused = (c: Context, detail: string) => {
  c.header('www-authenticate', 'Token');
  return c.json({ detail }, 401);
};

/** Reads `Authorization: Token <key>` and remembers the request's user. */
export function demoAuthentication(accounts: DemoAccounts): MiddlewareHandler {
  return async (c, next) => {
    const parts = (c.req.header('authorization') ?? '').trim().split(/\s+/);
    if (parts[0]?.toLowerCase() !== 'token') return next();
    if (parts.length === 1) return refused(c, 'Encabezado de token inválido. No se proveyeron credenciales.');
    if (parts.length > 2) {
      return refused(c, 'Encabezado de token inválido. La cadena de token no debe contener espacios.');
    }
    const user = accounts.userOf(parts[1]!);
    if (!user) return refused(c, 'Token inválido.');
    users.set(c.req.raw, user);
    return next();
  };
}

/** The request's user (undefined: anonymous). */
export const userOf = (c: Context): DemoUser | undefined => users.get(c.req.raw);

/**
 * The route's handler for a logged-in user whose role is one of `roles` (any role when omitted):
 * 401 without a user, 403 with another role.
 */
export function forUser(handler: (c: Context, user: DemoUser) => Response | Promise<Response>, roles?: DemoRole[]) {
  return (c: Context) => {
    const user = userOf(c);
    if (!user) return refused(c, NO_CREDENTIALS.detail);
    if (roles && !roles.includes(user.role)) return c.json(NO_PERMISSION, 403);
    return handler(c, user);
  };
}
