import { describe, expect, it } from 'vitest';
import { topics } from '../../core/events/bus.ts';
import type { CmmsLoginResult } from '../../core/identity/types.ts';
import type { TranscriptEntry } from '../../core/runtime/types.ts';
import { createMemoryStore } from '../../core/store/memory-store.ts';
import type { WorkflowConf, WorkflowRunner, WorkflowStatus } from '../../core/workflows/types.ts';
import { webSenderTrust } from '../../plugins/web/trust.ts';
import { makeRuntime, message, type RuntimeOverrides, testIdentityService } from '../support/runtime-harness.ts';
import { identityTestModel } from './identity-model.ts';

/** The runtime's side of the security review of issue 11 (who writes, user-only runs, stored link codes). */

const JUAN: CmmsLoginResult = {
  token: 'tok-juan-secret',
  cmmsUserId: 10,
  username: 'tecnico1',
  fullName: 'Juan Pérez',
  role: 'Técnico',
};

function harness(overrides: RuntimeOverrides & { trusts?: (conversationId: string) => boolean } = {}) {
  const { trusts, ...rest } = overrides;
  const identity = testIdentityService({ login: async () => JUAN, ...(trusts ? { trusts } : {}) });
  const store = createMemoryStore();
  const made = makeRuntime(store, { model: identityTestModel, identity, ...rest });
  const say = (user: string, text: string) => made.runtime.receive(message(user, text));
  return { ...made, store, identity, say };
}

/** A runner that records triggers and reports `state` for every run. */
function runnerReporting(state: WorkflowStatus['state']) {
  const triggers: Array<{ dagId: string; runId: string; conf: WorkflowConf }> = [];
  const runner: WorkflowRunner = {
    kind: 'local',
    async trigger(dagId, runId, conf) {
      triggers.push({ dagId, runId, conf });
    },
    status: async () => ({ state }),
    async close() {},
  };
  return { runner, triggers };
}

describe('a conversation whose sender is not authenticated (REST web without WEB_API_KEY)', () => {
  it('has no identity even with a link stored, and asking for a link fails with link_not_allowed (in the log)', async () => {
    let open = false;
    const h = harness({ trusts: (id) => !open || webSenderTrust(undefined)(id) });
    await h.identity.linkWithPassword('web:juan', 'tecnico1', 'tecnico1'); // made while WEB_API_KEY was set
    open = true;
    // It cannot link, so `report` reads as `none` for it: its reports go through the service account.
    expect((await h.say('juan', 'quién soy')).replies[0]?.text).toBe('anónimo · none · -');
    expect((await h.say('juan', 'vincular')).replies[0]?.text).toBe('error: link_not_allowed');
    const events = await h.store.readEvents('web:juan');
    expect(events.at(-1)?.invocations).toEqual([
      { src: 'issueLink', error: expect.objectContaining({ code: 'link_not_allowed' }) },
    ]);
    // Its runs never act as anybody.
    await h.say('juan', 'reportar');
    expect(h.runner.triggers[0]?.conf).not.toHaveProperty('acting_as');
  });
});

describe('a user-only workflow (requiresUser)', () => {
  it('starts as the linked user, and is refused (identity_expired) without a live link', async () => {
    const h = harness();
    await h.identity.linkWithPassword('web:juan', 'tecnico1', 'tecnico1');
    expect((await h.say('juan', 'mis ot')).replies[0]?.text).toBe('Procesando…');
    expect(h.runner.triggers[0]).toMatchObject({
      dagId: 'listar_mis_ot',
      conf: { acting_as: { cmms_user_id: 10 } },
    });

    // Expired between the machine's check and the trigger, or never linked: no run at all.
    expect((await h.say('ana', 'mis ot')).replies[0]?.text).toBe('error: identity_expired');
    const events = await h.store.readEvents('web:ana');
    expect(events.at(-1)?.invocations).toEqual([
      { src: 'startWorkflow', error: expect.objectContaining({ code: 'identity_expired' }) },
    ]);
    expect(h.runner.triggers).toHaveLength(1);
  });

  it('lost and resumed after the link went away: ends as failed identity_expired instead of running as the service', async () => {
    const { runner, triggers } = runnerReporting('lost');
    const h = harness({ runner });
    await h.identity.linkWithPassword('web:juan', 'tecnico1', 'tecnico1');
    await h.say('juan', 'mis ot');
    expect(triggers).toHaveLength(1);
    await h.identity.unlink('web:juan');
    await h.runtime.checkDeadlines('web:juan');
    expect(triggers).toHaveLength(1); // not triggered again
    expect(h.delivered.at(-1)?.text).toBe('resultado: identity_expired');
  });
});

describe('identity_expired from a workflow', () => {
  it('marks the link expired only when the run is the conversation’s pending one', async () => {
    const h = harness();
    await h.identity.linkWithPassword('web:juan', 'tecnico1', 'tecnico1');
    await h.say('juan', 'reportar');
    const run = h.runner.triggers[0]!;
    const failed = { status: 'failed' as const, error: { code: 'identity_expired', message: 'refused' } };
    for (const stale of [
      { conversation_id: 'web:juan', run_id: 'an-old-run', dag_id: run.dagId },
      { conversation_id: 'web:nobody', run_id: run.runId, dag_id: run.dagId },
    ]) {
      await expect(h.runtime.deliverWorkflowResult({ ...stale, ...failed })).rejects.toMatchObject({ status: 409 });
    }
    // The pending run's id from another DAG (this test machine takes it; the link is left alone).
    await h.runtime.deliverWorkflowResult({
      conversation_id: 'web:juan',
      run_id: run.runId,
      dag_id: 'other',
      ...failed,
    });
    expect(await h.identity.lookup('web:juan')).not.toHaveProperty('expired');
    expect(await h.identity.tokenFor('web:juan')).toBe(JUAN.token);

    await h.say('juan', 'reportar');
    const pending = h.runner.triggers[1]!;
    await h.runtime.deliverWorkflowResult({
      conversation_id: 'web:juan',
      run_id: pending.runId,
      dag_id: pending.dagId,
      ...failed,
    });
    expect(await h.identity.lookup('web:juan')).toMatchObject({ expired: true });
  });
});

describe('link codes in the transcript', () => {
  it('are stored as /link/[enlace], while the reply, the live bus and the answer carry the real link', async () => {
    const h = harness();
    const live: TranscriptEntry[] = [];
    h.bus.subscribe(topics.messages('web:juan'), (entry) => live.push(entry as TranscriptEntry));
    const turn = await h.say('juan', 'vincular');
    const url = /Abre (\S+)/.exec(turn.replies[0]!.text)?.[1] ?? '';
    const code = url.split('/').at(-1)!;
    expect(url).toMatch(/^https:\/\/bot\.example\/link\/[\w-]{32,}$/);
    expect(h.delivered.at(-1)?.text).toBe(`Abre ${url}`);
    expect(live.map((entry) => entry.text)).toEqual(['vincular', `Abre ${url}`]);

    const stored = await h.store.readTranscript('web:juan');
    expect(stored.map((entry) => entry.text)).toEqual(['vincular', 'Abre https://bot.example/link/[enlace]']);
    expect(JSON.stringify(await h.store.readEvents('web:juan'))).not.toContain(code);
  });
});

describe('a notice to a conversation (no machine event)', () => {
  it('is stored, published and delivered; the state and the watcher’s schedule stay as they were', async () => {
    const h = harness();
    await h.say('juan', 'reportar');
    const before = await h.store.load('web:juan');
    const live: TranscriptEntry[] = [];
    h.bus.subscribe(topics.messages('web:juan'), (entry) => live.push(entry as TranscriptEntry));

    expect(await h.runtime.notify('web:juan', 'Tu cuenta del CMMS se vinculó también a un chat web.')).toBe(true);
    expect(h.delivered.at(-1)).toEqual({
      conversationId: 'web:juan',
      text: 'Tu cuenta del CMMS se vinculó también a un chat web.',
    });
    expect(live.map((entry) => entry.text)).toEqual(['Tu cuenta del CMMS se vinculó también a un chat web.']);
    expect((await h.store.readTranscript('web:juan')).at(-1)).toMatchObject({
      direction: 'out',
      text: 'Tu cuenta del CMMS se vinculó también a un chat web.',
    });
    const after = await h.store.load('web:juan');
    expect(after?.snapshot).toEqual(before?.snapshot);
    expect(await h.store.claimDueChecks(Number.MAX_SAFE_INTEGER, 1_000, 10)).toEqual(['web:juan']);
    // The run still finishes the conversation's way.
    const run = h.runner.triggers[0]!;
    const result = await h.runtime.deliverWorkflowResult({
      conversation_id: 'web:juan',
      run_id: run.runId,
      dag_id: run.dagId,
      status: 'success',
      result: {},
    });
    expect(result.replies[0]?.text).toBe('resultado: listo');

    expect(await h.runtime.notify('web:nobody', 'hola')).toBe(false);
    expect(h.delivered.some((m) => m.conversationId === 'web:nobody')).toBe(false);
  });
});
