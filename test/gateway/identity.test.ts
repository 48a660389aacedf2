import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../app/gateway.ts';
import { loadConfig } from '../../core/config.ts';
import { ConfigError } from '../../core/errors.ts';
import { topics } from '../../core/events/bus.ts';
import type { TranscriptEntry } from '../../core/runtime/types.ts';
import { browserConversationId } from '../../core/types.ts';
import type { WorkflowConf, WorkflowRunner, WorkflowStatus } from '../../core/workflows/types.ts';

const ADMIN_TOKEN = 'identity-admin-token-0123456789';
/** REST web conversations may only be linked while WEB_API_KEY vouches for their callers. */
const WEB_API_KEY = 'identity-web-api-key';

/** `POST /api/bot/message` as the backend (with `apiKey`) or as anybody. */
async function restSay(gateway: Gateway, userId: string, message: string, apiKey?: string) {
  const response = await fetch(`${gateway.url}/api/bot/message`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}) },
    body: JSON.stringify({ user_id: userId, message }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { conversation_id: string; replies: { text: string }[] };
}

describe('identity settings', () => {
  it('IDENTITY_REQUIRED is report by default, none or all when set, and a ConfigError naming it otherwise', () => {
    expect(loadConfig({}).identityPolicy).toBe('report');
    expect(loadConfig({ IDENTITY_REQUIRED: 'none' }).identityPolicy).toBe('none');
    expect(loadConfig({ IDENTITY_REQUIRED: 'all' }).identityPolicy).toBe('all');
    expect(() => loadConfig({ IDENTITY_REQUIRED: 'strict' })).toThrow(ConfigError);
    expect(() => loadConfig({ IDENTITY_REQUIRED: 'strict' })).toThrow(
      /IDENTITY_REQUIRED must be one of none, report, all/,
    );
  });

  it('IDENTITY_KEY is required in production with REDIS_URL, and at least 16 characters', () => {
    const production = { NODE_ENV: 'production', REDIS_URL: 'redis://127.0.0.1:6379/15', SESSION_SECRET: 's' };
    expect(() => loadConfig(production)).toThrow(/IDENTITY_KEY is required in production with REDIS_URL/);
    expect(loadConfig({ ...production, IDENTITY_KEY: 'k'.repeat(32) }).identityKey).toBe('k'.repeat(32));
    expect(loadConfig({ NODE_ENV: 'production' }).identityKey).toBeUndefined();
    expect(() => loadConfig({ IDENTITY_KEY: 'short' })).toThrow(/IDENTITY_KEY must be at least 16 characters/);
  });
});

describe('the gateway acting for linked users (embedded runner, demo CMMS)', () => {
  let gateway: Gateway;
  const confs: WorkflowConf[] = [];

  beforeAll(async () => {
    gateway = await startGateway(
      { LOG_LEVEL: 'silent', ADMIN_TOKEN, WEB_API_KEY, IDENTITY_KEY: 'a-test-identity-key-of-32-chars!!' },
      { port: 0, host: '127.0.0.1' },
    );
    const runner = gateway.runner as WorkflowRunner;
    const trigger = runner.trigger.bind(runner);
    runner.trigger = async (dagId, runId, conf) => {
      confs.push(conf);
      await trigger(dagId, runId, conf);
    };
  });
  afterAll(() => gateway.stop());

  it('serves the link page, the credential endpoint and the admin API', async () => {
    const { url } = await gateway.identity.issueLink('web:pagina');
    const page = await fetch(url.replace(gateway.config.publicUrl, gateway.url));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const unsigned = await fetch(`${gateway.url}/api/bot/credentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(unsigned.status).toBe(401);
    expect((await fetch(`${gateway.url}/admin/identities`)).status).toBe(401);
    const listed = await fetch(`${gateway.url}/admin/identities`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(listed.status).toBe(200);
  });

  it('links at the embedded CMMS, runs the user’s workflows with their token, and names them in the conf only', async () => {
    const conversationId = 'web:tecnico-uno';
    const linked = await gateway.identity.linkWithPassword(conversationId, 'tecnico1', 'tecnico1');
    expect(linked).toMatchObject({ cmmsUserId: 10, username: 'tecnico1', role: 'Técnico' });
    const answer = await restSay(gateway, 'tecnico-uno', 'estado OT-CORR-1', WEB_API_KEY);
    expect(answer.conversation_id).toBe(conversationId);
    const conf = confs.find((c) => c.conversation_id === conversationId)!;
    expect(conf).toMatchObject({ acting_as: { cmms_user_id: 10, username: 'tecnico1' } });
    expect(conf.credentials_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/bot\/credentials$/);
    expect(JSON.stringify(conf)).not.toContain((await gateway.identity.tokenFor(conversationId))!);
    // The embedded runner's credential URL is served on its loopback listener too.
    const ownCalls = await fetch(conf.credentials_url!, { method: 'POST', body: '{}' });
    expect(ownCalls.status).toBe(401);

    // A report run as the user: the demo CMMS records tecnico1 as the requester.
    const runId = `report-as-tecnico1-${Date.now()}`;
    await gateway.runner.trigger('reportar_falla', runId, {
      ...conf,
      run_id: runId,
      params: { idequipo: 1, descripcion: 'Fuga de aceite en el cilindro del brazo' },
    });
    let status: WorkflowStatus = { state: 'running' };
    while (status.state !== 'success' && status.state !== 'failed') {
      await new Promise((resolve) => setTimeout(resolve, 20));
      status = await gateway.runner.status('reportar_falla', runId);
    }
    expect(status).toMatchObject({ state: 'success', result: { order: { idsolicitante: 10 } } });
  });

  it('erases a conversation for an admin: transcript, events and link', async () => {
    const conversationId = 'web:borrable';
    await restSay(gateway, 'borrable', 'hola', WEB_API_KEY);
    await gateway.identity.linkWithPassword(conversationId, 'operador1', 'operador1');
    const erase = await fetch(`${gateway.url}/admin/personal-data/erase`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ conversation_id: conversationId }),
    });
    expect(erase.status).toBe(200);
    expect(await gateway.store.load(conversationId)).toBeNull();
    expect(await gateway.store.readTranscript(conversationId)).toEqual([]);
    expect(await gateway.identity.lookup(conversationId)).toBeNull();
  });
});

describe('the gateway with an open REST web API (no WEB_API_KEY)', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway(
      { LOG_LEVEL: 'silent', ADMIN_TOKEN, IDENTITY_KEY: 'a-test-identity-key-of-32-chars!!' },
      { port: 0, host: '127.0.0.1' },
    );
  });
  afterAll(() => gateway.stop());

  it('never links a REST web conversation: no link in the chat, link_not_allowed in the log, 403 for admins', async () => {
    const answer = await restSay(gateway, 'juan', 'vincular cuenta');
    expect(JSON.stringify(answer.replies)).not.toContain('/link/');
    const events = await gateway.store.readEvents('web:juan');
    expect(JSON.stringify(events.at(-1)?.invocations)).toContain('"code":"link_not_allowed"');
    await expect(gateway.identity.issueLink('web:juan')).rejects.toMatchObject({ code: 'link_not_allowed' });
    const admin = await fetch(`${gateway.url}/admin/identities`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ conversation_id: 'web:juan', username: 'tecnico1', password: 'tecnico1' }),
    });
    expect(admin.status).toBe(403);
    expect(await admin.json()).toMatchObject({ error: 'link_not_allowed' });
    expect(await gateway.identity.lookup('web:juan')).toBeNull();
  });

  it('files a REST chat’s failure report through the service account under the default policy (it cannot link)', async () => {
    for (const text of ['reportar falla', 'CAT-001', 'Fuga de aceite hidráulico en el brazo principal', 'alta']) {
      await restSay(gateway, 'pedro', text);
    }
    const confirm = await restSay(gateway, 'pedro', 'sí');
    expect(confirm.replies[0]?.text).toMatch(/^Procesando: estoy registrando la falla/);
    let told = '';
    for (let i = 0; i < 50 && !told; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const entries = await gateway.store.readTranscript('web:pedro');
      told = entries.find((entry) => entry.text.startsWith('Falla reportada'))?.text ?? '';
    }
    expect(told).toMatch(/^Falla reportada\. Se creó la orden de trabajo OT-CORR-CAT-001-/);
  });

  it('links a browser chat: the link reaches it live (bus), the stored transcript keeps /link/[enlace]', async () => {
    const conversationId = browserConversationId();
    const live: TranscriptEntry[] = [];
    const stop = gateway.bus.subscribe(topics.messages(conversationId), (entry) => live.push(entry as TranscriptEntry));
    const turn = await gateway.runtime.receive({
      id: randomUUID(),
      channel: 'web',
      conversationId,
      user: { id: conversationId.slice('web:'.length) },
      text: 'vincular cuenta',
      receivedAt: new Date().toISOString(),
    });
    stop();
    const url = /https?:\/\/\S+\/link\/[A-Za-z0-9_-]{32,}/.exec(turn.replies.map((r) => r.text).join('\n'))?.[0];
    expect(url, JSON.stringify(turn.replies)).toBeDefined();
    expect(live.some((entry) => entry.text.includes(url!))).toBe(true);
    const stored = JSON.stringify(await gateway.store.readTranscript(conversationId));
    expect(stored).not.toContain(url!.split('/').at(-1));
    expect(stored).toContain('/link/[enlace]');
    // The link still works: it was redacted only where it is stored.
    expect((await fetch(url!.replace(gateway.config.publicUrl, gateway.url))).status).toBe(200);
  });
});
