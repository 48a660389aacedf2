import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { ConfigError, InProgressError } from '../../core/errors.ts';
import { silentLogger } from '../../core/log.ts';
import { MAX_TAKEOVERS, processOnce } from '../../core/runtime/message-once.ts';
import { createMemoryStore } from '../../core/store/memory-store.ts';
import { ClaimLostError, type ConversationStore } from '../../core/store/types.ts';

describe('processing a message once', () => {
  it('answers a failed turn at once and releases its claim behind the answer, after its last renewal settled', async () => {
    const memory = createMemoryStore();
    const order: string[] = [];
    let renewing!: () => void;
    const renewalStarted = new Promise<void>((resolve) => (renewing = resolve));
    let finishRenewal!: () => void;
    const renewalAnswer = new Promise<void>((resolve) => (finishRenewal = resolve));
    const store: ConversationStore = {
      ...memory,
      async renewMessage(id, key, token, leaseMs) {
        order.push('renewal sent');
        renewing();
        await renewalAnswer; // a slow Redis
        order.push('renewal answered');
        return memory.renewMessage(id, key, token, leaseMs);
      },
      async releaseMessage(id, key, token) {
        order.push('release');
        return memory.releaseMessage(id, key, token);
      },
    };
    const behind: Promise<unknown>[] = [];
    const once = processOnce({
      store,
      logger: silentLogger,
      claimLeaseMs: 40,
      duplicateWaitMs: 100,
      track: (work) => behind.push(work),
    });
    const failed = once('in:5:web:a:m1', 'web:a', async () => {
      await renewalStarted;
      throw new Error('the CMMS failed');
    }).catch((error: unknown) => error);
    await renewalStarted;
    // Answered while the renewal still hangs on a slow store: the caller does not wait for it.
    expect(await failed).toMatchObject({ message: 'the CMMS failed' });
    expect(order).toEqual(['renewal sent']);
    finishRenewal();
    await Promise.all(behind);
    // Nothing renews the claim after its release.
    expect(order).toEqual(['renewal sent', 'renewal answered', 'release']);
    // Released for good: a redelivery processes the message.
    expect(await memory.claimMessage('web:a', 'in:5:web:a:m1', 5_000)).toMatchObject({ state: 'claimed' });
    await memory.close();
  });

  it('tells the caller to retry (409) when its claim keeps being taken over, instead of looping', async () => {
    const store = createMemoryStore();
    const once = processOnce({ store, logger: silentLogger, claimLeaseMs: 5_000, duplicateWaitMs: 6_000 });
    let attempts = 0;
    const outcome = await once('in:5:web:a:m2', 'web:a', async (hold) => {
      attempts++;
      await store.releaseMessage('web:a', hold.key, hold.token); // as if it expired, free for the next claim
      throw new ClaimLostError(hold.key);
    }).catch((error: unknown) => error);
    expect(outcome).toBeInstanceOf(InProgressError);
    expect(outcome).toMatchObject({ status: 409, retryAfterMs: expect.any(Number) });
    expect(attempts).toBe(MAX_TAKEOVERS);
    await store.close();
  });
});

describe('claim settings', () => {
  it('refuses a DUPLICATE_WAIT_MS that does not outlast CLAIM_LEASE_MS, naming both', () => {
    const load = () => loadConfig({ CLAIM_LEASE_MS: '6000', DUPLICATE_WAIT_MS: '6000' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/DUPLICATE_WAIT_MS.*CLAIM_LEASE_MS/);
    expect(loadConfig({ CLAIM_LEASE_MS: '6000', DUPLICATE_WAIT_MS: '6001' }).duplicateWaitMs).toBe(6001);
    expect(loadConfig({}).duplicateWaitMs).toBeGreaterThan(loadConfig({}).claimLeaseMs);
  });
});
