/**
 * The CMMS parity cases (test/fixtures/cmms-parity.json) and the local CMMS that answers them: each
 * case is served under `/<case index>/api/`. Both runners' CMMS clients are run through the same
 * cases and must end each with the code the case expects (so with the same Spanish text):
 * test/workflows/cmms-parity.test.ts runs the in-process runner's (core/cmms/client.ts) in
 * `npm test`; test/airflow/cmms-parity.test.ts runs the DAGs' (dags/omnibot_common/cmms.py) in the
 * Airflow tier, whose venv has `requests`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import catalog from '../../workflows/catalog.json' with { type: 'json' };
import type { CmmsUserSummary } from '../../workflows/cmms.ts';
import parity from '../fixtures/cmms-parity.json' with { type: 'json' };

interface Answer {
  status?: number;
  body?: unknown;
  raw?: string;
  drop?: boolean;
  headers?: Record<string, string>;
  pages?: 'maxPages' | 'overLimit';
  /** A paginated list of these pages (`?page=N` answers the N-th; `count` is their total). */
  listPages?: Record<string, unknown>[][];
}

export interface ParityCase {
  name: string;
  call:
    | 'listEquipment'
    | 'findWorkOrder'
    | 'reportFailure'
    | 'listPendingWorkOrders'
    | 'findWorkOrders'
    | 'listWorkOrders'
    | 'listUsers'
    | 'updateWorkOrder'
    | 'completeWorkOrder';
  /**
   * A token (default), a service account that logs in (`password`), both (`tokenAndPassword`), or a
   * linked user's own token (`user`: `asUser('user-token')`, never a login).
   */
  credentials?: 'password' | 'tokenAndPassword' | 'user';
  /** The clients' API prefix (default `/api/`): with `/api/v2/` the routes are `v2/<route>`, the login stays `login/`. */
  apiPrefix?: string;
  /** When set, a token that is none of these is a 401 on any route (a logged-out token), no token one on all but the login. */
  acceptTokens?: string[];
  routes: Record<string, Answer[]>;
  expect: string;
  numeroots?: string[];
  /** findWorkOrders: the numbers looked up in turn by one client, after its pending list if `pendingFirst`. */
  lookups?: string[];
  pendingFirst?: boolean;
  /** findWorkOrders: the number each look-up found (null: none), and the requests each one (or each change) made. */
  found?: (string | null)[];
  requests?: number[];
  /** listUsers: the users it gives. */
  users?: CmmsUserSummary[];
}

export interface Outcome {
  code: string;
  numeroots?: (string | null)[];
  found?: (string | null)[];
  requests?: number[];
  users?: CmmsUserSummary[];
}

/** The user's token of the `user` cases. */
export const USER_TOKEN = 'user-token';

export const CASES = parity.cases as unknown as ParityCase[];

/** The parity cases' login route: `{CMMS_URL}/api/login/`, whatever the case's API prefix. */
const LOGIN_ROUTE = 'login/';

/**
 * The local CMMS: `/<case index>/api/<route>` answers as the case says (a route of a case with API
 * prefix `/api/v2/` is `v2/<route>`); `reset()` before each client's turn.
 */
function parityCmms() {
  let served = new Map<string, number>();
  let requests = new Map<number, number>();
  const server = createServer((req, res) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://cmms');
    const [, index, , ...rest] = url.pathname.split('/');
    const parityCase = CASES[Number(index)];
    requests.set(Number(index), (requests.get(Number(index)) ?? 0) + 1);
    const route = `${rest.join('/')}`;
    // As DRF: a token it does not know is a 401 on every route, the login's too; no token, on the others.
    const accepted = parityCase?.acceptTokens?.map((key) => `Token ${key}`);
    const auth = req.headers.authorization;
    if (accepted && (auth ? !accepted.includes(auth) : route !== LOGIN_ROUTE)) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"detail":"Token inválido."}');
      return;
    }
    const answers = parityCase?.routes[route];
    if (!answers) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"No encontrado."}');
      return;
    }
    const key = `${index} ${route}`;
    const count = served.get(key) ?? 0;
    served.set(key, count + 1);
    const answer = answers[Math.min(count, answers.length - 1)]!;
    if (answer.drop) {
      req.socket.destroy();
      return;
    }
    if (answer.listPages) {
      const pages = answer.listPages;
      const page = Number(url.searchParams.get('page') ?? '1');
      const body = {
        count: pages.reduce((sum, results) => sum + results.length, 0),
        next: page < pages.length ? `http://${req.headers.host}${url.pathname}?page=${page + 1}` : null,
        previous: null,
        results: pages[page - 1] ?? [],
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    if (answer.pages) {
      const page = Number(url.searchParams.get('page') ?? '1');
      const last = answer.pages === 'maxPages' ? catalog.cmms.maxPages : Number.POSITIVE_INFINITY;
      const next = page < last ? `http://${req.headers.host}${url.pathname}?page=${page + 1}` : null;
      const body = {
        count: 1_000_000,
        next,
        previous: null,
        results: [{ idequipo: page, nombreequipo: `Equipo ${page}` }],
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
    res.end(answer.raw ?? JSON.stringify(answer.body));
  });
  return {
    server,
    reset: () => {
      served = new Map();
      requests = new Map();
    },
    requests: (index: number) => requests.get(index) ?? 0,
  };
}

/** What a case expects: its code, for a list the order of its work orders, for look-ups what each found and cost. */
export function expectedOutcome(parityCase: ParityCase): Outcome {
  return {
    code: parityCase.expect,
    ...(parityCase.numeroots ? { numeroots: parityCase.numeroots } : {}),
    ...(parityCase.found ? { found: parityCase.found } : {}),
    ...(parityCase.requests ? { requests: parityCase.requests } : {}),
    ...(parityCase.users ? { users: parityCase.users } : {}),
  };
}

/**
 * Starts the local CMMS on a free port: its base URL, a reset (before each client's turn), the
 * requests a case's routes received so far, and close.
 */
export async function startParityCmms() {
  const cmms = parityCmms();
  await new Promise<void>((resolve) => cmms.server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(cmms.server.address() as AddressInfo).port}`,
    reset: cmms.reset,
    requests: cmms.requests,
    close: () => new Promise<void>((resolve) => cmms.server.close(() => resolve())),
  };
}
