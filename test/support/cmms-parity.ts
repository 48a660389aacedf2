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
import parity from '../fixtures/cmms-parity.json' with { type: 'json' };

interface Answer {
  status?: number;
  body?: unknown;
  raw?: string;
  drop?: boolean;
  headers?: Record<string, string>;
  pages?: 'maxPages' | 'overLimit';
}

export interface ParityCase {
  name: string;
  call: 'listEquipment' | 'findWorkOrder' | 'reportFailure' | 'listPendingWorkOrders';
  credentials?: 'password';
  routes: Record<string, Answer[]>;
  expect: string;
  numeroots?: string[];
}

export interface Outcome {
  code: string;
  numeroots?: (string | null)[];
}

export const CASES = parity.cases as unknown as ParityCase[];

/** The local CMMS: `/<case index>/api/<route>` answers as the case says; `reset()` before each client's turn. */
function parityCmms() {
  let served = new Map<string, number>();
  const server = createServer((req, res) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://cmms');
    const [, index, , ...rest] = url.pathname.split('/');
    const parityCase = CASES[Number(index)];
    const route = `${rest.join('/')}`;
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
    },
  };
}

/** What a case expects: its code, and for a list the order of its work orders. */
export function expectedOutcome(parityCase: ParityCase): Outcome {
  return { code: parityCase.expect, ...(parityCase.numeroots ? { numeroots: parityCase.numeroots } : {}) };
}

/** Starts the local CMMS on a free port: its base URL, a reset (before each client's turn) and close. */
export async function startParityCmms() {
  const cmms = parityCmms();
  await new Promise<void>((resolve) => cmms.server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(cmms.server.address() as AddressInfo).port}`,
    reset: cmms.reset,
    close: () => new Promise<void>((resolve) => cmms.server.close(() => resolve())),
  };
}
