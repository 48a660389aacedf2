import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../app/gateway.ts';
import { DEMO_CMMS_TOKEN } from '../../core/cmms/demo-server.ts';
import { webClient } from '../support/web-client.ts';

let gateway: Gateway;

beforeAll(async () => {
  gateway = await startGateway({ LOG_LEVEL: 'silent', IDENTITY_REQUIRED: 'none' }, { port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await gateway.stop();
});

describe('the embedded demo CMMS', () => {
  it('keeps answering after someone logs the service account out (the gateway logs in again)', async () => {
    const logout = await fetch(`${gateway.url}/demo-cmms/api/logout/`, {
      method: 'POST',
      headers: { authorization: `Token ${DEMO_CMMS_TOKEN}` },
    });
    expect(logout.status).toBe(204);

    const client = webClient(gateway.url);
    const answer = await client.send('tecnico-logout', 'estado OT-CORR-1');
    const reply = await client.waitForReply(answer.conversation_id, answer.conversation_token, /OT-CORR-1 para/);
    expect(reply).toMatch(/La orden de trabajo OT-CORR-1 para el equipo .+ se encuentra en estado: /);
  });
});
