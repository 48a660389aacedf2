import { Hono } from 'hono';
import { beforeEach, describe, expect, it } from 'vitest';
import { errorHandler } from '../http/errors.ts';
import { createLogger, silentLogger } from '../log.ts';
import type { StoredConversation } from '../store/types.ts';
import { CALLBACK_SIGNATURE_HEADER, signBody } from '../workflows/callback.ts';
import { mountCredentialsRoute } from './credentials-route.ts';
import { createIdentityService } from './service.ts';

const SECRET = 'callback-secret-for-tests';
const NOW = 1_900_000_000_000;
const CONVERSATION = 'telegram:777';
const RUN = 'completar_ot__telegram_777__t12';
const DAG = 'completar_ot';
const TOKEN = 'f'.repeat(40);

let app: Hono;
let logLines: string[];
let identity: ReturnType<typeof createIdentityService>;

beforeEach(async () => {
  logLines = [];
  identity = createIdentityService({
    key: 'credentials-test-identity-key',
    publicUrl: 'http://gw',
    policy: 'report',
    login: async (username) => ({
      token: username === 'tecnico1' ? TOKEN : 'e'.repeat(40),
      cmmsUserId: username === 'tecnico1' ? 10 : 11,
      username,
      fullName: 'Juan Pérez',
      role: 'Técnico',
    }),
    logger: silentLogger,
  });
  await identity.linkWithPassword(CONVERSATION, 'tecnico1', 'tecnico1');
  const conversations = new Map<string, StoredConversation>([
    [
      CONVERSATION,
      { version: 3, snapshot: { pending: { runId: RUN, dagId: DAG } }, meta: {} as StoredConversation['meta'] },
    ],
    ['telegram:888', { version: 1, snapshot: { pending: null }, meta: {} as StoredConversation['meta'] }],
  ]);
  const logger = createLogger('debug', {}, (line) => logLines.push(line));
  app = new Hono();
  app.onError(errorHandler(logger));
  mountCredentialsRoute(app, {
    identity,
    store: { load: async (id) => conversations.get(id) ?? null },
    model: { waitingOf: (snapshot) => ({ pending: (snapshot as { pending: never }).pending, handoff: null }) },
    callbackSecret: SECRET,
    logger,
    now: () => NOW,
  });
});

function ask(body: Record<string, unknown>, sign: (raw: string) => string = (raw) => signBody(SECRET, raw)) {
  const raw = JSON.stringify(body);
  return app.request('/api/bot/credentials', {
    method: 'POST',
    headers: { 'content-type': 'application/json', [CALLBACK_SIGNATURE_HEADER]: sign(raw) },
    body: raw,
  });
}
const request = (over: Record<string, unknown> = {}) => ({
  conversation_id: CONVERSATION,
  run_id: RUN,
  dag_id: DAG,
  cmms_user_id: 10,
  ts: NOW / 1000,
  ...over,
});

describe('POST /api/bot/credentials', () => {
  it("hands the pending run the user's token, not cached and never logged", async () => {
    const response = await ask(request({ ts: NOW / 1000 - 30 }));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ token: TOKEN });
    expect(logLines.join('\n')).toContain(RUN);
    expect(logLines.join('\n')).not.toContain(TOKEN);
  });

  it('refuses a bad or missing signature with 401', async () => {
    expect((await ask(request(), () => signBody('another-secret', 'x'))).status).toBe(401);
    expect((await ask(request(), (raw) => signBody('another-secret', raw))).status).toBe(401);
    expect((await ask(request(), () => '')).status).toBe(401);
    // Signed for another body: changing a field breaks it.
    const signed = signBody(SECRET, JSON.stringify(request()));
    expect((await ask(request({ run_id: 'other' }), () => signed)).status).toBe(401);
  });

  it('refuses a ts more than 60 s away with 401', async () => {
    for (const ts of [NOW / 1000 - 61, NOW / 1000 + 61]) {
      const response = await ask(request({ ts }));
      expect(response.status).toBe(401);
    }
    expect((await ask(request({ ts: 'now' }))).status).toBe(400);
  });

  it('refuses a body without dag_id or an integer cmms_user_id with 400', async () => {
    expect((await ask(request({ dag_id: undefined }))).status).toBe(400);
    expect((await ask(request({ cmms_user_id: '10' }))).status).toBe(400);
    expect((await ask(request({ cmms_user_id: undefined }))).status).toBe(400);
  });

  it('answers 409 for a run that is not the conversation’s pending one', async () => {
    for (const body of [
      request({ run_id: 'old-run' }),
      // The pending run's id signed by another DAG (a run of another DAG triggered with this conf).
      request({ dag_id: 'listar_mis_ot' }),
      request({ conversation_id: 'telegram:888' }),
      request({ conversation_id: 'web:none' }),
    ]) {
      const response = await ask(body);
      expect(response.status).toBe(409);
      expect(JSON.stringify(await response.json())).not.toContain(TOKEN);
    }
  });

  it('answers 403 identity_expired when the link is expired or gone', async () => {
    await identity.markExpired(CONVERSATION);
    const expired = await ask(request());
    expect(expired.status).toBe(403);
    expect(await expired.json()).toMatchObject({ error: 'identity_expired' });

    await identity.unlink(CONVERSATION);
    expect((await ask(request())).status).toBe(403);
  });

  it('answers 403 identity_expired when the live link is now another CMMS user’s', async () => {
    // The run was started for user 10; the conversation linked user 11 since.
    await identity.linkWithPassword(CONVERSATION, 'tecnico2', 'tecnico2');
    const other = await ask(request());
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({ error: 'identity_expired' });
    expect((await ask(request({ cmms_user_id: 11 }))).status).toBe(200);
  });
});
