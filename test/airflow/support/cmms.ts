/** The demo CMMS the DAGs call in these tests, served on loopback, and the Variables pointing at it. */
import { randomBytes } from 'node:crypto';
import { DEMO_CMMS_TOKEN, startDemoCmms } from '../../../core/cmms/demo-server.ts';
import type { AirflowAdmin } from './airflow-admin.ts';

export interface TestCmms {
  url: string;
  token: string;
  /** The callback secret the DAGs sign with during this test file. */
  secret: string;
  /** Points the DAGs at this CMMS with a working token (again, after a test changed them). */
  useIt(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestCmms(admin: AirflowAdmin): Promise<TestCmms> {
  const server = await startDemoCmms({ port: 0, host: '127.0.0.1' });
  const secret = randomBytes(24).toString('hex');
  const cmms: TestCmms = {
    url: server.url.replace(/\/+$/, ''),
    token: DEMO_CMMS_TOKEN,
    secret,
    useIt: () =>
      admin.setVariables({
        cmms_url: cmms.url,
        cmms_token: DEMO_CMMS_TOKEN,
        cmms_api_prefix: '/api/',
        omnibot_callback_secret: secret,
      }),
    close: () => server.close(),
  };
  await cmms.useIt();
  return cmms;
}
