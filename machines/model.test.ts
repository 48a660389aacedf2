/**
 * The machine's version through a rolling deploy: a conversation stored by version 1 goes on under
 * this build, and a process of the previous build refuses (503, retry) a conversation this build
 * stored instead of restarting it.
 */
import { describe, expect, it } from 'vitest';
import type { ConversationModel } from '../core/runtime/model.ts';
import { createMemoryStore } from '../core/store/memory-store.ts';
import { makeRuntime, message } from '../test/support/runtime-harness.ts';
import snapshotV1Reporting from './fixtures/snapshot-v1-reporting.json' with { type: 'json' };
import { conversationModel } from './model.ts';

/** The previous build's model: version 1, reading nothing older. */
const previousBuild: ConversationModel = { ...conversationModel, version: 1, readsVersions: [] };

const META = { channel: 'web', userId: 'u1', createdAt: '', updatedAt: '' };

describe('the machine version', () => {
  it('goes on with a report stored by version 1, and stores it again as this version', async () => {
    const store = createMemoryStore();
    const changes = { events: [], transcript: [], checkAt: null };
    await store.commit('web:u1', 0, {
      ...changes,
      snapshot: snapshotV1Reporting,
      meta: { ...META, machineVersion: 1 },
    });
    const { runtime } = makeRuntime(store);
    const result = await runtime.receive(message('u1', 'Pérdida de aceite hidráulico en el brazo'));
    expect(result.replies.map((r) => r.text).join('\n')).toMatch(/prioridad/);
    expect(result.state).toBe('reporting.priority');
    expect((await store.load('web:u1'))?.meta.machineVersion).toBe(conversationModel.version);
  });

  it('is newer than the previous build, whose process refuses this build’s conversations for a retry', async () => {
    const store = createMemoryStore();
    const current = makeRuntime(store);
    await current.runtime.receive(message('u1', 'reportar falla'));
    await current.runtime.receive(message('u1', 'CAT-001'));
    const old = makeRuntime(store, { model: previousBuild });
    await expect(old.runtime.receive(message('u1', 'Pérdida de aceite en el brazo'))).rejects.toMatchObject({
      status: 503,
      code: 'machine_version_newer',
    });
    expect(old.delivered).toEqual([]);
    const result = await current.runtime.receive(message('u1', 'Pérdida de aceite en el brazo'));
    expect(result.state).toBe('reporting.priority');
  });
});
