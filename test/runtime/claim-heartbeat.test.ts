import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../core/log.ts';
import { startHeartbeat } from '../../core/runtime/claim-heartbeat.ts';

/** A store whose renewals answer only when the test says so (a slow or stalled Redis). */
function slowStore() {
  const calls: { at: number; answer: (held: boolean) => void }[] = [];
  const store = {
    renewMessage: () =>
      new Promise<boolean>((resolve) => {
        calls.push({ at: Date.now(), answer: resolve });
      }),
  };
  return { store, calls };
}

describe('the claim heartbeat', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  // Lease 4 s: a beat every second, whatever each renewal takes.
  const start = (store: ReturnType<typeof slowStore>['store']) =>
    startHeartbeat({
      renew: () => store.renewMessage(),
      leaseMs: 4_000,
      onLost: () => silentLogger.debug({}, 'lost'),
      onError: (error) => silentLogger.debug({ err: error }, 'renewal failed'),
    });

  it('keeps its rate when a renewal is slow: the next renewal still lands well before the lease ends', async () => {
    const { store, calls } = slowStore();
    const heartbeat = start(store);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls.map((c) => c.at)).toEqual([1_000]);
    // The renewal hangs for two seconds (a Redis command timeout): no second one meanwhile.
    await vi.advanceTimersByTimeAsync(1_500);
    expect(calls).toHaveLength(1);
    calls[0]?.answer(true);
    await vi.advanceTimersByTimeAsync(500);
    expect(calls.map((c) => c.at)).toEqual([1_000, 3_000]);
    calls[1]?.answer(true);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls.map((c) => c.at)).toEqual([1_000, 3_000, 4_000]);
    calls[2]?.answer(true);
    await heartbeat.stop();
  });

  it('stops only once the renewal on its way has settled, and renews nothing afterwards', async () => {
    const { store, calls } = slowStore();
    const heartbeat = start(store);
    await vi.advanceTimersByTimeAsync(1_000);
    let stopped = false;
    const stopping = heartbeat.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(100);
    expect(stopped).toBe(false);
    calls[0]?.answer(true);
    await stopping;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toHaveLength(1);
  });

  it('stops by itself once the claim is no longer its holder’s', async () => {
    const { store, calls } = slowStore();
    start(store);
    await vi.advanceTimersByTimeAsync(1_000);
    calls[0]?.answer(false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toHaveLength(1);
  });
});
