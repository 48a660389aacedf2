import { describe, expect, it } from 'vitest';
import { ConflictError, UpstreamError } from '../../core/errors.ts';
import type { CmmsLoginResult } from '../../core/identity/types.ts';
import { replayEventLog } from '../../core/inspect/replay.ts';
import type { RuntimeCmms } from '../../core/runtime/options.ts';
import { createMemoryStore } from '../../core/store/memory-store.ts';
import type { ConversationStore } from '../../core/store/types.ts';
import type { CmmsUserSummary } from '../../workflows/cmms.ts';
import {
  makeRuntime,
  message,
  type RuntimeOverrides,
  redisStores,
  testIdentityService,
} from '../support/runtime-harness.ts';
import { identityTestModel } from './identity-model.ts';

const TOKEN = 'tok-7f3a9c-user-secret';
const JUAN: CmmsLoginResult = {
  token: TOKEN,
  cmmsUserId: 10,
  username: 'tecnico1',
  fullName: 'Juan Pérez',
  role: 'Técnico',
};

/** The identity service in memory; its CMMS login accepts `tecnico1` (password = username). */
function identityService() {
  return testIdentityService({
    login: async (username, password) => {
      if (username !== 'tecnico1' || password !== 'tecnico1') throw new Error('refused');
      return JUAN;
    },
  });
}

function harness(overrides: RuntimeOverrides & { store?: ConversationStore } = {}) {
  const identity = identityService();
  const { store = createMemoryStore(), ...rest } = overrides;
  const made = makeRuntime(store, { model: identityTestModel, identity, ...rest });
  const say = (user: string, text: string, name?: string) =>
    made.runtime.receive(message(user, text, name ? { user: { id: user, name } } : {}));
  const link = (user: string) => identity.linkWithPassword(`web:${user}`, 'tecnico1', 'tecnico1');
  return { ...made, store, identity, say, link };
}

const { open: redisStore } = redisStores('identity');

describe('who writes, in every user message', () => {
  it('carries the sender’s link, the policy and their channel name; the event log has name and role, never the token', async () => {
    const h = harness();
    await h.link('juan');
    const turn = await h.say('juan', 'quién soy', 'Juanito');
    expect(turn.replies[0]?.text).toBe('Juan Pérez · report · Juanito');
    expect((await h.say('ana', 'quién soy')).replies[0]?.text).toBe('anónimo · report · -');

    const [entry] = await h.store.readEvents('web:juan');
    expect(entry?.event).toMatchObject({
      type: 'user.message',
      userName: 'Juanito',
      identityPolicy: 'report',
      identity: { cmmsUserId: 10, username: 'tecnico1', fullName: 'Juan Pérez', role: 'Técnico' },
    });
    const everything = JSON.stringify([await h.store.readEvents('web:juan'), await h.store.readTranscript('web:juan')]);
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain('sealedToken');
  });

  it('reads the link again for each message: one linked meanwhile is known at once', async () => {
    const h = harness();
    expect((await h.say('juan', 'quién soy')).replies[0]?.text).toBe('anónimo · report · -');
    await h.link('juan');
    expect((await h.say('juan', 'quién soy')).replies[0]?.text).toBe('Juan Pérez · report · -');
  });

  it('without an identity service: nobody is linked, policy none, and linking fails clearly', async () => {
    const h = harness({ identity: undefined });
    expect((await h.say('juan', 'quién soy')).replies[0]?.text).toBe('anónimo · none · -');
    expect((await h.say('juan', 'vincular')).replies[0]?.text).toBe('error: identity_off');
  });
});

describe('identity turns', () => {
  it('tells the user on their channel when they linked their account, and when an admin unlinked it', async () => {
    const h = harness();
    await h.say('juan', 'hola');
    const identity = await h.link('juan');
    const linked = await h.runtime.identityLinked('web:juan', identity);
    expect(linked.replies.map((r) => r.text)).toEqual(['Listo, Juan Pérez (Técnico).']);
    expect(h.delivered.at(-1)).toEqual({ conversationId: 'web:juan', text: 'Listo, Juan Pérez (Técnico).' });
    await h.runtime.identityUnlinked('web:juan');
    expect(h.delivered.at(-1)?.text).toBe('Desvinculé tu cuenta.');
    const events = await h.store.readEvents('web:juan');
    expect(events.map((e) => e.event.type)).toEqual(['user.message', 'identity.linked', 'identity.unlinked']);
    expect(JSON.stringify(events)).not.toContain(TOKEN);
  });

  it('refuses them for a conversation that does not exist (409)', async () => {
    const h = harness();
    const identity = await h.link('nadie');
    const linked = h.runtime.identityLinked('web:nadie', identity);
    await expect(linked).rejects.toBeInstanceOf(ConflictError);
    await expect(linked).rejects.toMatchObject({ status: 409 });
    await expect(h.runtime.identityUnlinked('web:nadie')).rejects.toMatchObject({ status: 409 });
    expect(h.delivered).toEqual([]);
  });
});

describe('"borrar mis datos" (the forget tag) and erase', () => {
  it('hands the replies over, then erases the conversation and the link; the next message starts afresh', async () => {
    const store = redisStore();
    const storedWhenDelivered: boolean[] = [];
    const h = harness({
      store,
      deliver: async (m) => {
        storedWhenDelivered.push((await store.load(m.conversationId)) !== null);
      },
    });
    await h.link('eva');
    await h.say('eva', 'hola');
    const forget = await h.say('eva', 'borrar');
    expect(forget.replies.map((r) => r.text)).toEqual(['Borré tus datos.']);
    await h.runtime.drain(5_000);
    expect(storedWhenDelivered).toEqual([true, true]); // delivered while the conversation was still there
    expect(await store.load('web:eva')).toBeNull();
    expect(await store.readTranscript('web:eva')).toEqual([]);
    expect(await store.readEvents('web:eva')).toEqual([]);
    expect((await store.listConversations(0, 10)).ids).not.toContain('web:eva');
    expect(await h.identity.lookup('web:eva')).toBeNull();

    expect((await h.say('eva', 'hola otra vez')).replies[0]?.text).toBe('eco: hola otra vez');
    expect(await store.load('web:eva')).toMatchObject({ version: 1 });
    expect((await store.readTranscript('web:eva')).map((t) => t.text)).toEqual(['hola otra vez', 'eco: hola otra vez']);
    await store.close();
  });

  it('erases on request (admins): store, link and the delivery side; an unknown conversation is no error', async () => {
    const erasedDeliveries: string[] = [];
    const h = harness({ eraseDeliveries: async (id) => void erasedDeliveries.push(id) });
    await h.link('leo');
    await h.say('leo', 'hola');
    await h.runtime.erase('web:leo');
    expect(await h.store.load('web:leo')).toBeNull();
    expect(await h.identity.lookup('web:leo')).toBeNull();
    expect(erasedDeliveries).toEqual(['web:leo']);
    await h.runtime.erase('web:nadie');
  });
});

describe('workflow runs for a linked user', () => {
  it('name the user in the conf (acting_as, credentials_url), never the token; an unlinked one runs as the service', async () => {
    const h = harness();
    await h.link('juan');
    await h.say('juan', 'reportar');
    await h.say('ana', 'reportar');
    const [juan, ana] = h.runner.triggers;
    expect(juan?.conf).toMatchObject({
      conversation_id: 'web:juan',
      acting_as: { cmms_user_id: 10, username: 'tecnico1' },
      credentials_url: 'http://127.0.0.1:1/api/bot/credentials',
    });
    expect(JSON.stringify(juan?.conf)).not.toContain(TOKEN);
    expect(ana?.conf).not.toHaveProperty('acting_as');
    expect(ana?.conf).not.toHaveProperty('credentials_url');
  });

  it('mark the link expired when the run reports identity_expired, before the machine hears of it', async () => {
    const h = harness();
    await h.link('juan');
    await h.say('juan', 'reportar');
    const run = h.runner.triggers[0]!;
    const turn = await h.runtime.deliverWorkflowResult({
      conversation_id: 'web:juan',
      run_id: run.runId,
      dag_id: run.dagId,
      status: 'failed',
      error: { code: 'identity_expired', message: 'the CMMS refused the user’s token' },
    });
    expect(turn.replies[0]?.text).toBe('resultado: identity_expired');
    expect(await h.identity.lookup('web:juan')).toMatchObject({ expired: true });
    expect(await h.identity.tokenFor('web:juan')).toBeNull();
    expect((await h.say('juan', 'quién soy')).replies[0]?.text).toBe('Juan Pérez · report · -');
    // An expired link acts as nobody: the next run goes through the service account.
    await h.say('juan', 'reportar');
    expect(h.runner.triggers[1]?.conf).not.toHaveProperty('acting_as');
  });
});

describe('the identity services', () => {
  it('issue a link whose URL reaches the user but is kept redacted in the event log (the replay reproduces it)', async () => {
    const h = harness();
    const turn = await h.say('juan', 'vincular');
    const url = /Abre (\S+)/.exec(turn.replies[0]!.text)?.[1] ?? '';
    expect(url).toMatch(/^https:\/\/bot\.example\/link\/[\w-]{32,}$/);
    const events = await h.store.readEvents('web:juan');
    expect(events[0]?.invocations).toEqual([
      { src: 'issueLink', output: { url: '[link]', expiresAt: expect.any(Number) } },
    ]);
    expect(JSON.stringify([events, h.runner.triggers])).not.toContain(url.split('/').at(-1));
    // The stored transcript keeps the link's place only (see identity-safety.test.ts).
    expect(JSON.stringify(await h.store.readTranscript('web:juan'))).not.toContain(url.split('/').at(-1));
    const replay = await replayEventLog(identityTestModel, 'web:juan', events);
    expect(replay.matches).toBe(true);
    expect(replay.timeline[0]?.replies).toEqual(['Abre [link]']);
  });

  it('unlink the conversation', async () => {
    const h = harness();
    await h.link('juan');
    expect((await h.say('juan', 'desvincular')).replies[0]?.text).toBe('desvinculado');
    expect(await h.identity.lookup('web:juan')).toBeNull();
    expect((await h.say('juan', 'desvincular')).replies[0]?.text).toBe('no había');
  });

  /** A CMMS whose user clients say whose token they carry; `expired` tokens answer 401. */
  function cmmsAsUsers(expired = new Set<string>(), keptUsers = new Set<string>()) {
    const asked: string[] = [];
    const users: CmmsUserSummary[] = [
      { id: 10, username: 'tecnico1', fullName: 'José Núñez', role: 'Técnico' },
      { id: 11, username: 'tecnico2', fullName: 'Josefa Ruiz', role: 'Técnico' },
      { id: 12, username: 'supervisor1', fullName: 'José Soto', role: 'Supervisor' },
    ];
    const client = (who: string): Pick<RuntimeCmms, 'findWorkOrder' | 'listUsers'> => ({
      async findWorkOrder(numeroot) {
        asked.push(`${who}:${numeroot}`);
        if (expired.has(who)) {
          throw new UpstreamError('cmms', 'CMMS answered 401', {
            status: 401,
            details: { asUser: true, identityExpired: true },
          });
        }
        return { numeroot: `${numeroot} de ${who}` } as never;
      },
      async listUsers() {
        asked.push(`${who}:users`);
        if (keptUsers.has(who)) {
          throw new UpstreamError('cmms', 'CMMS answered 403', {
            status: 403,
            details: { asUser: true, upstreamStatus: 403 },
          });
        }
        return users;
      },
    });
    const cmms: Partial<RuntimeCmms> = { ...client('servicio'), asUser: (token) => client(token) };
    return { cmms, asked };
  }

  it('look an order up as the linked user (their token), else as the service account', async () => {
    const { cmms, asked } = cmmsAsUsers();
    const h = harness({ cmms });
    await h.link('juan');
    expect((await h.say('juan', 'ot OT-7')).replies[0]?.text).toBe(`orden: OT-7 de ${TOKEN}`);
    expect((await h.say('ana', 'ot OT-7')).replies[0]?.text).toBe('orden: OT-7 de servicio');
    expect(asked).toEqual([`${TOKEN}:OT-7`, 'servicio:OT-7']);
    // What the lookup answered is in the log (for the replay), never the token that asked.
    const events = await h.store.readEvents('web:juan');
    expect(events.at(-1)?.invocations?.[0]).toMatchObject({ src: 'findWorkOrder' });
  });

  it('mark the link expired when the CMMS refuses the user’s token, and fail with identity_expired', async () => {
    const { cmms } = cmmsAsUsers(new Set([TOKEN]));
    const h = harness({ cmms });
    await h.link('juan');
    expect((await h.say('juan', 'ot OT-7')).replies[0]?.text).toBe('error: identity_expired');
    expect(await h.identity.lookup('web:juan')).toMatchObject({ expired: true });
    const events = await h.store.readEvents('web:juan');
    expect(events.at(-1)?.invocations?.[0]).toMatchObject({
      src: 'findWorkOrder',
      error: { code: 'identity_expired' },
    });
    // Expired: the next lookup goes through the service account.
    expect((await h.say('juan', 'ot OT-7')).replies[0]?.text).toBe('orden: OT-7 de servicio');
  });

  it('find technicians by every word of the query in the name or username (accents ignored); none: all of them', async () => {
    const { cmms, asked } = cmmsAsUsers();
    const h = harness({ cmms });
    await h.link('sup');
    expect((await h.say('sup', 'técnicos jose')).replies[0]?.text).toBe('técnicos: José Núñez, Josefa Ruiz');
    expect((await h.say('sup', 'técnicos NUNEZ jose')).replies[0]?.text).toBe('técnicos: José Núñez');
    expect((await h.say('sup', 'técnicos tecnico2')).replies[0]?.text).toBe('técnicos: Josefa Ruiz');
    expect((await h.say('sup', 'técnicos')).replies[0]?.text).toBe('técnicos: José Núñez, Josefa Ruiz');
    expect((await h.say('sup', 'técnicos soto')).replies[0]?.text).toBe('técnicos: ');
    expect(asked.every((call) => call === `${TOKEN}:users`)).toBe(true);
  });

  it('read the technicians with the service account when the CMMS keeps users/ for administrators (403 to a supervisor)', async () => {
    const { cmms, asked } = cmmsAsUsers(new Set(), new Set([TOKEN]));
    const h = harness({ cmms });
    await h.link('sup');
    expect((await h.say('sup', 'técnicos josefa')).replies[0]?.text).toBe('técnicos: Josefa Ruiz');
    expect(asked).toEqual([`${TOKEN}:users`, 'servicio:users']);
    expect(await h.identity.lookup('web:sup')).not.toMatchObject({ expired: true });
  });
});
