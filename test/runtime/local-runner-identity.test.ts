import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CmmsClient, createCmmsClient } from '../../core/cmms/client.ts';
import { DEMO_CMMS_TOKEN, startDemoCmms } from '../../core/cmms/demo-server.ts';
import { cmmsLogin, createIdentityService } from '../../core/identity/index.ts';
import { silentLogger } from '../../core/log.ts';
import { actingAsUser, createLocalRunner } from '../../core/workflows/local-runner.ts';
import type { WorkflowCallback, WorkflowConf, WorkflowRunner } from '../../core/workflows/types.ts';

/** The in-process runner acting as a linked user against the demo CMMS (which records the token's user). */
let cmmsServer: { url: string; close(): Promise<void> };
let cmms: CmmsClient;
let callbacks: Server;
let callbackUrl: string;
const arrived = new Map<string, (callback: WorkflowCallback) => void>();
const runners: WorkflowRunner[] = [];

beforeAll(async () => {
  cmmsServer = await startDemoCmms({ rateLimit: false });
  cmms = createCmmsClient({ baseUrl: cmmsServer.url, token: DEMO_CMMS_TOKEN });
  callbacks = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const callback = JSON.parse(body) as WorkflowCallback;
      arrived.get(callback.run_id)?.(callback);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => callbacks.listen(0, '127.0.0.1', resolve));
  callbackUrl = `http://127.0.0.1:${(callbacks.address() as AddressInfo).port}/api/bot/webhook`;
});
afterAll(async () => {
  for (const runner of runners) await runner.close();
  await cmms.close();
  await cmmsServer.close();
  callbacks.close();
});

/** Triggers a failure report for `conversationId`, acting as `tecnico1`, and waits for its callback. */
async function report(runner: WorkflowRunner, runId: string, actingAs = true): Promise<WorkflowCallback> {
  const callback = new Promise<WorkflowCallback>((resolve) => arrived.set(runId, resolve));
  const conf: WorkflowConf = {
    conversation_id: 'whatsapp:56911112222',
    run_id: runId,
    callback_url: callbackUrl,
    params: { idequipo: 1, descripcion: 'Fuga de aceite en el cilindro del brazo', prioridad: 'Alta' },
    ...(actingAs
      ? {
          acting_as: { cmms_user_id: 10, username: 'tecnico1' },
          credentials_url: 'http://127.0.0.1:1/api/bot/credentials',
        }
      : {}),
  };
  await runner.trigger('reportar_falla', runId, conf);
  return callback;
}

/** Triggers a user-only workflow (`listar_mis_ot`), acting as CMMS user `userId` or as nobody, and waits for its callback. */
async function listMine(runner: WorkflowRunner, runId: string, userId: number | null): Promise<WorkflowCallback> {
  const callback = new Promise<WorkflowCallback>((resolve) => arrived.set(runId, resolve));
  await runner.trigger('listar_mis_ot', runId, {
    conversation_id: 'whatsapp:56911113333',
    run_id: runId,
    callback_url: callbackUrl,
    params: { idusuario: userId ?? 10, filtro: 'mias' },
    ...(userId !== null
      ? {
          acting_as: { cmms_user_id: userId, username: `user${userId}` },
          credentials_url: 'http://127.0.0.1:1/api/bot/credentials',
        }
      : {}),
  });
  return callback;
}

function runnerWith(actAs?: (conf: WorkflowConf) => Promise<CmmsClient>) {
  const runner = createLocalRunner({
    cmms,
    callbackSecret: 'test-callback-secret',
    logger: silentLogger,
    ...(actAs ? { actAs } : {}),
  });
  runners.push(runner);
  return runner;
}

describe('the in-process runner acting as a linked user', () => {
  it('files the report with the user’s own token: the CMMS records them as the requester', async () => {
    const login = await cmmsLogin({ baseUrl: cmmsServer.url })('tecnico1', 'tecnico1');
    const asked: string[] = [];
    const runner = runnerWith(
      actingAsUser({
        cmms,
        tokenFor: async (conversationId) => {
          asked.push(conversationId);
          return login.token;
        },
      }),
    );
    const callback = await report(runner, 'run-as-tecnico1');
    expect(callback).toMatchObject({ status: 'success', result: { order: { idsolicitante: 10 } } });
    expect(asked).toEqual(['whatsapp:56911112222']);
    // The same report without acting_as goes through the service account.
    const service = await report(runner, 'run-as-service', false);
    expect(service).toMatchObject({ status: 'success' });
    expect((service.result as { order: { idsolicitante: number } }).order.idsolicitante).not.toBe(10);
  });

  it('fails the run with identity_expired when the user has no live link (never the service account)', async () => {
    const expired = runnerWith(actingAsUser({ cmms, tokenFor: async () => null }));
    expect(await report(expired, 'run-expired')).toMatchObject({
      status: 'failed',
      error: { code: 'identity_expired' },
    });
    const cannot = runnerWith();
    expect(await report(cannot, 'run-no-act-as')).toMatchObject({
      status: 'failed',
      error: { code: 'identity_expired' },
    });
  });

  it('fails with identity_expired when the CMMS refuses the user’s token (a logout)', async () => {
    const login = await cmmsLogin({ baseUrl: cmmsServer.url })('tecnico1', 'tecnico1');
    const logout = await fetch(`${cmmsServer.url}/api/logout/`, {
      method: 'POST',
      headers: { authorization: `Token ${login.token}` },
    });
    expect(logout.ok).toBe(true);
    const runner = runnerWith(actingAsUser({ cmms, tokenFor: async () => login.token }));
    expect(await report(runner, 'run-logged-out')).toMatchObject({
      status: 'failed',
      error: { code: 'identity_expired' },
    });
  });

  it('refuses a user-only workflow without acting_as (identity_expired): it never runs as the service account', async () => {
    const runner = runnerWith(actingAsUser({ cmms, tokenFor: async () => 'never-asked' }));
    expect(await listMine(runner, 'run-mine-nobody', null)).toMatchObject({
      status: 'failed',
      error: { code: 'identity_expired' },
    });
  });

  it('refuses the run when the conversation’s live link is now another CMMS user (linked again since it started)', async () => {
    const identity = createIdentityService({
      key: 'local-runner-identity-key-0123',
      publicUrl: 'http://gw',
      policy: 'report',
      login: cmmsLogin({ baseUrl: cmmsServer.url }),
      logger: silentLogger,
    });
    const runner = runnerWith(actingAsUser({ cmms, tokenFor: (id, user) => identity.tokenFor(id, user) }));
    const tecnico2 = await identity.linkWithPassword('whatsapp:56911113333', 'tecnico2', 'tecnico2');
    expect(tecnico2.cmmsUserId).not.toBe(10);
    expect(await listMine(runner, 'run-mine-other-user', 10)).toMatchObject({
      status: 'failed',
      error: { code: 'identity_expired' },
    });
    await identity.linkWithPassword('whatsapp:56911113333', 'tecnico1', 'tecnico1');
    expect(await listMine(runner, 'run-mine-tecnico1', 10)).toMatchObject({ status: 'success' });
  });
});
