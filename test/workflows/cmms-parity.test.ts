/**
 * The in-process runner's half of the CMMS parity test (test/support/cmms-parity.ts): every case
 * through core/cmms/client.ts ends with the code the case expects. The DAGs' half runs the same
 * cases in the Airflow tier (test/airflow/cmms-parity.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCmmsClient } from '../../core/cmms/client.ts';
import { workflowErrorOf } from '../../core/workflows/definitions.ts';
import { CASES, expectedOutcome, type Outcome, type ParityCase, startParityCmms } from '../support/cmms-parity.ts';

async function viaTypeScript(base: string, index: number, parityCase: ParityCase): Promise<Outcome> {
  const credentials =
    parityCase.credentials === 'password' ? { username: 'omnibot', password: 'wrong' } : { token: 'parity-token' };
  const client = createCmmsClient({ baseUrl: `${base}/${index}`, timeoutMs: 5_000, ...credentials });
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
      case 'listPendingWorkOrders': {
        const orders = await client.listPendingWorkOrders();
        return { code: 'ok', numeroots: orders.map((o) => o.numeroot) };
      }
    }
  } catch (error) {
    return { code: workflowErrorOf(error).code };
  } finally {
    await client.close();
  }
}

describe('the in-process CMMS client on the parity cases', () => {
  let cmms: Awaited<ReturnType<typeof startParityCmms>>;
  let outcomes: Outcome[] = [];

  beforeAll(async () => {
    cmms = await startParityCmms();
    outcomes = await Promise.all(CASES.map((parityCase, index) => viaTypeScript(cmms.base, index, parityCase)));
  }, 120_000);

  afterAll(() => cmms?.close());

  it.each(CASES.map((parityCase, index) => ({ ...parityCase, index })))(
    '$name: $expect',
    ({ index, ...parityCase }) => {
      expect(outcomes[index]).toEqual(expectedOutcome(parityCase));
    },
  );
});
