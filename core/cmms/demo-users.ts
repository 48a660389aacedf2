import { randomBytes } from 'node:crypto';
import { safeEqual } from '../auth/safe-equal.ts';

/**
 * The demo CMMS's people, roles and tokens, as the Somacor CMMS keeps them: Django users with a
 * `usuarios` row naming their role, and DRF's `Token` model (one token per user: a second login
 * answers the same token, a logout deletes it, the next login makes a new one).
 */

export const ROLES = ['Administrador', 'Supervisor', 'Técnico', 'Operador', 'Solicitante'] as const;
export type DemoRole = (typeof ROLES)[number];

export interface DemoUser {
  id: number;
  username: string;
  password: string;
  first_name: string;
  last_name: string;
  role: DemoRole;
  departamento: string;
}

/**
 * The token of the service account (`demo`): the gateway serving the embedded demo and the DAG tests
 * use it. A logout deletes it as any token; the account's next login brings the same key back.
 */
export const DEMO_CMMS_TOKEN = 'demo-cmms-token-0123456789abcdef';
export const DEMO_CMMS_USER = { username: 'demo', password: 'demo' };

const user = (
  id: number,
  username: string,
  first_name: string,
  last_name: string,
  role: DemoRole,
  departamento = 'Mantenimiento',
): DemoUser => ({ id, username, password: username, first_name, last_name, role, departamento });

/** The demo users (password = username), listed in the README. */
export const DEMO_USERS: readonly DemoUser[] = [
  { ...user(1, 'demo', 'Asistente', 'Omnibot', 'Administrador', 'Sistemas'), password: DEMO_CMMS_USER.password },
  user(2, 'supervisor1', 'Carolina', 'Muñoz', 'Supervisor'),
  user(3, 'operador1', 'Diego', 'Fuentes', 'Operador', 'Operaciones'),
  user(4, 'solicitante1', 'Valentina', 'Reyes', 'Solicitante', 'Operaciones'),
  user(10, 'tecnico1', 'Juan', 'Pérez', 'Técnico'),
  user(11, 'tecnico2', 'María', 'González', 'Técnico'),
  user(12, 'tecnico3', 'Pedro', 'Soto', 'Técnico'),
  user(13, 'tecnico4', 'Carla', 'Rojas', 'Técnico'),
];

export const fullName = (u: DemoUser) => `${u.first_name} ${u.last_name}`;
export const roleId = (role: DemoRole) => ROLES.indexOf(role) + 1;
export const userById = (id: number) => DEMO_USERS.find((u) => u.id === id);
/** The seed's user with this full name (the seed orders name their technicians). */
export const userNamed = (name: string) => DEMO_USERS.find((u) => fullName(u) === name);

/** A user as the API shows it (login answer, `users/`). */
export function userJson(u: DemoUser) {
  return {
    id: u.id,
    username: u.username,
    first_name: u.first_name,
    last_name: u.last_name,
    email: `${u.username}@somacor.example`,
    usuarios: { idrol: roleId(u.role), nombrerol: u.role, departamento: u.departamento },
  };
}

/** The answer of `POST login/`. */
export function loginAnswer(u: DemoUser, token: string) {
  return {
    token,
    user: userJson(u),
    rol: { id: roleId(u.role), nombre: u.role, departamento: u.departamento },
    message: 'Login exitoso',
  };
}

export const rolesJson = () =>
  ROLES.map((nombrerol) => ({ idrol: roleId(nombrerol), nombrerol, descripcionrol: `Rol ${nombrerol}` }));

export interface DemoAccounts {
  /** The user's token (made on the first login), or undefined for wrong credentials. */
  login(username: string, password: string): { user: DemoUser; token: string } | undefined;
  /** Deletes the user's token. */
  logout(user: DemoUser): void;
  /** The owner of a token key, compared in constant time. */
  userOf(key: string): DemoUser | undefined;
}

/** One instance's tokens: the service account starts logged in with `DEMO_CMMS_TOKEN`. */
export function createDemoAccounts(): DemoAccounts {
  const tokens = new Map<number, string>([[1, DEMO_CMMS_TOKEN]]);
  const newKey = (u: DemoUser) => (u.id === 1 ? DEMO_CMMS_TOKEN : randomBytes(20).toString('hex'));
  return {
    login(username, password) {
      let found: DemoUser | undefined;
      for (const u of DEMO_USERS) {
        // Every password is compared, so the time taken tells nothing about which user exists.
        if (safeEqual(password, u.password) && u.username === username) found = u;
      }
      if (!found) return undefined;
      const token = tokens.get(found.id) ?? newKey(found);
      tokens.set(found.id, token);
      return { user: found, token };
    },
    logout(u) {
      tokens.delete(u.id);
    },
    userOf(key) {
      let owner: number | undefined;
      for (const [id, token] of tokens) if (safeEqual(key, token)) owner = id;
      return owner === undefined ? undefined : userById(owner);
    },
  };
}
