/**
 * The in-process runner's half of the CMMS parity test (test/support/cmms-parity.ts): every case
 * through core/cmms/client.ts ends with the code the case expects. The DAGs' half runs the same
 * cases in the Airflow tier (test/airflow/cmms-parity.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CmmsClient, createCmmsClient } from '../../core/cmms/client.ts';
import { workflowErrorOf } from '../../core/workflows/definitions.ts';
import {
  CASES,
  expectedOutcome,
  type Outcome,
  type ParityCase,
  startParityCmms,
  USER_TOKEN,
} from '../support/cmms-parity.ts';

type ParityCmms = Awaited<ReturnType<typeof startParityCmms>>;

/** findWorkOrders: each look-up in turn on one client, with what it found and the requests it made. */
async function lookUp(client: CmmsClient, cmms: ParityCmms, index: number, parityCase: ParityCase): Promise<Outcome> {
  if (parityCase.pendingFirst) await client.listPendingWorkOrders();
  const found: (string | null)[] = [];
  const requests: number[] = [];
  for (const numeroot of parityCase.lookups ?? []) {
    const before = cmms.requests(index);
    found.push((await client.findWorkOrder(numeroot))?.numeroot ?? null);
    requests.push(cmms.requests(index) - before);
  }
  return { code: 'ok', found, requests };
}

/** updateWorkOrder: the same change twice on one client, with the order each answered and the requests each made. */
async function change(client: CmmsClient, cmms: ParityCmms, index: number): Promise<Outcome> {
  const numeroots: string[] = [];
  const requests: number[] = [];
  for (let n = 0; n < 2; n++) {
    const before = cmms.requests(index);
    numeroots.push((await client.updateWorkOrder(7, { estado: 'En Progreso', idtecnicoasignado: 10 })).numeroot);
    requests.push(cmms.requests(index) - before);
  }
  return { code: 'ok', numeroots, requests };
}

async function viaTypeScript(cmms: ParityCmms, index: number, parityCase: ParityCase): Promise<Outcome> {
  const base = cmms.base;
  const account = { username: 'omnibot', password: 'parity-password' };
  const token = { token: 'parity-token' };
  const credentials =
    parityCase.credentials === 'password'
      ? account
      : parityCase.credentials === 'tokenAndPassword' || parityCase.credentials === 'user'
        ? { ...token, ...account }
        : token;
  const service = createCmmsClient({
    baseUrl: `${base}/${index}`,
    timeoutMs: 5_000,
    ...credentials,
    ...(parityCase.apiPrefix ? { apiPrefix: parityCase.apiPrefix } : {}),
  });
  const client = parityCase.credentials === 'user' ? service.asUser(USER_TOKEN) : service;
  try {
    switch (parityCase.call) {
      case 'listEquipment':
        await client.listEquipment();
        return { code: 'ok' };
      case 'findWorkOrder':
        await client.findWorkOrder('OT-1');
        return { code: 'ok' };
      case 'reportFailure':
        await client.reportFailure({ idequipo: 1, descripcion: 'Fuga de aceite' });
        return { code: 'ok' };
      case 'findWorkOrders':
        return await lookUp(client, cmms, index, parityCase);
      case 'listPendingWorkOrders': {
        const orders = await client.listPendingWorkOrders();
        return { code: 'ok', numeroots: orders.map((o) => o.numeroot) };
      }
      case 'listWorkOrders':
        return { code: 'ok', numeroots: (await client.listWorkOrders()).map((o) => o.numeroot) };
      case 'listUsers':
        return { code: 'ok', users: await client.listUsers() };
      case 'updateWorkOrder':
        return await change(client, cmms, index);
      case 'completeWorkOrder': {
        const order = await client.completeWorkOrder(7, {
          observacionesfinales: 'Sello cambiado',
          tiempototalminutos: 45,
        });
        return { code: 'ok', numeroots: [order.numeroot] };
      }
    }
  } catch (error) {
    return { code: workflowErrorOf(error).code };
  } finally {
    await service.close();
  }
}

describe('the in-process CMMS client on the parity cases', () => {
  let cmms: ParityCmms;
  let outcomes: Outcome[] = [];

  beforeAll(async () => {
    cmms = await startParityCmms();
    outcomes = await Promise.all(CASES.map((parityCase, index) => viaTypeScript(cmms, index, parityCase)));
  }, 120_000);

  afterAll(() => cmms?.close());

  it.each(CASES.map((parityCase, index) => ({ ...parityCase, index })))(
    '$name: $expect',
    ({ index, ...parityCase }) => {
      expect(outcomes[index]).toEqual(expectedOutcome(parityCase));
    },
  );
});
