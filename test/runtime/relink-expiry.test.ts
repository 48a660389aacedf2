import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../core/errors.ts';
import type { RuntimeCmms } from '../../core/runtime/options.ts';
import { createMemoryStore } from '../../core/store/memory-store.ts';
import { makeRuntime, message, type RuntimeOverrides, testIdentityService } from '../support/runtime-harness.ts';
import { identityTestModel } from './identity-model.ts';

/**
 * The chat linked again, as another CMMS user, while something done as the first user was under way:
 * the first user's token being refused expires their link only, never the new one.
 */

const clock = { now: Date.parse('2026-03-01T10:00:00.000Z') };
const tick = () => (clock.now += 1_000);

/** Logs in anyone: `ana` is CMMS user 10, `beto` 20; the token names the user. */
function harness(overrides: RuntimeOverrides = {}) {
  const identity = testIdentityService({
    login: async (username) => ({
      token: `tok-${username}`,
      cmmsUserId: username === 'beto' ? 20 : 10,
      username,
      fullName: username,
      role: 'Técnico',
    }),
    now: () => clock.now,
  });
  const made = makeRuntime(createMemoryStore(), {
    model: identityTestModel,
    identity,
    now: () => clock.now,
    ...overrides,
  });
  const linkAs = (username: string) => identity.linkWithPassword('web:eva', username, username);
  return { ...made, identity, linkAs };
}

describe('a token refused after the chat linked again as another user', () => {
  it('a run started for ana fails identity_expired: beto’s newer link stays live', async () => {
    const h = harness();
    await h.linkAs('ana');
    tick();
    await h.runtime.receive(message('eva', 'mis ot'));
    const run = h.runner.triggers[0]!;
    expect(run.conf).toMatchObject({ acting_as: { cmms_user_id: 10 } });
    tick();
    await h.linkAs('beto');

    await h.runtime.deliverWorkflowResult({
      conversation_id: 'web:eva',
      run_id: run.runId,
      dag_id: run.dagId,
      status: 'failed',
      error: { code: 'identity_expired', message: 'no token for user 10' },
    });
    expect(await h.identity.lookup('web:eva')).toEqual(expect.not.objectContaining({ expired: true }));
    expect(await h.identity.lookup('web:eva')).toMatchObject({ cmmsUserId: 20 });
    expect(await h.identity.tokenFor('web:eva')).toBe('tok-beto');
  });

  it('a lookup made with ana’s token is refused: beto’s link made meanwhile stays live', async () => {
    let relink: (() => Promise<unknown>) | null = null;
    const cmms: Partial<RuntimeCmms> = {
      asUser: (token) => ({
        async findWorkOrder() {
          // The chat links again as beto while ana's call is under way; then the CMMS refuses ana's token.
          tick();
          await relink?.();
          throw new UpstreamError('cmms', `CMMS answered 401 to ${token}`, {
            status: 401,
            details: { asUser: true, identityExpired: true },
          });
        },
        listUsers: async () => [],
      }),
    };
    const h = harness({ cmms });
    relink = () => h.linkAs('beto');
    await h.linkAs('ana');
    tick();
    expect((await h.runtime.receive(message('eva', 'ot OT-7'))).replies[0]?.text).toBe('error: identity_expired');
    expect(await h.identity.lookup('web:eva')).toEqual(expect.not.objectContaining({ expired: true }));
    expect(await h.identity.tokenFor('web:eva')).toBe('tok-beto');
  });

  it('still expires the link that was used (made before the run or call)', async () => {
    const h = harness();
    await h.linkAs('ana');
    tick();
    await h.runtime.receive(message('eva', 'mis ot'));
    const run = h.runner.triggers[0]!;
    tick();
    await h.runtime.deliverWorkflowResult({
      conversation_id: 'web:eva',
      run_id: run.runId,
      dag_id: run.dagId,
      status: 'failed',
      error: { code: 'identity_expired', message: 'refused' },
    });
    expect(await h.identity.lookup('web:eva')).toMatchObject({ cmmsUserId: 10, expired: true });
  });
});
