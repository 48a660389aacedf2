import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { demoEquipment } from '../cmms/demo-equipment.ts';
import { silentLogger } from '../log.ts';
import type { EquipmentSummary } from '../workflows/results.ts';
import { summarizeEquipment } from '../workflows/results.ts';
import { createEquipmentCatalog } from './equipment-catalog.ts';

const LIST: EquipmentSummary[] = demoEquipment().map((e) => summarizeEquipment({ ...e }));
const DEADLINE_MS = 1_000;
const REFRESH_MS = 60_000;
const RETRY_MS = 5_000;

const down = () => Promise.reject(new Error('CMMS down'));
const never = () => new Promise<EquipmentSummary[]>(() => {});

/** A CMMS whose equipment list answers what the test says (until it says otherwise), counting its reads. */
function fakeCmms() {
  let answer: () => Promise<EquipmentSummary[]> = never;
  const cmms = {
    reads: 0,
    answer(next: () => Promise<EquipmentSummary[]>) {
      answer = next;
    },
    list: () => {
      cmms.reads++;
      return answer();
    },
  };
  return cmms;
}

const catalogOver = (cmms: ReturnType<typeof fakeCmms>) =>
  createEquipmentCatalog({
    list: cmms.list,
    logger: silentLogger,
    deadlineMs: DEADLINE_MS,
    refreshMs: REFRESH_MS,
    retryMs: RETRY_MS,
  });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('equipment catalog for understanding messages', () => {
  it('is read at start-up: the first message gets the list without asking the CMMS again', async () => {
    const cmms = fakeCmms();
    cmms.answer(async () => LIST);
    const catalog = catalogOver(cmms);
    catalog.warm();
    expect(cmms.reads).toBe(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(await catalog.read()).toEqual(LIST);
    expect(cmms.reads).toBe(1);
  });

  it('shares one read among the messages that arrive while it is in flight', async () => {
    const cmms = fakeCmms();
    let answer!: (list: EquipmentSummary[]) => void;
    cmms.answer(() => new Promise((resolve) => (answer = resolve)));
    const catalog = catalogOver(cmms);
    const reads = [catalog.read(), catalog.read(), catalog.read()];
    catalog.warm();
    answer(LIST);
    expect(await Promise.all(reads)).toEqual([LIST, LIST, LIST]);
    expect(cmms.reads).toBe(1);
  });

  it('answers null at the deadline when the CMMS does not answer, and keeps the late answer for the next message', async () => {
    const cmms = fakeCmms();
    let answer!: (list: EquipmentSummary[]) => void;
    cmms.answer(() => new Promise((resolve) => (answer = resolve)));
    const catalog = catalogOver(cmms);
    let first: readonly EquipmentSummary[] | null | 'waiting' = 'waiting';
    void catalog.read().then((list) => (first = list));
    await vi.advanceTimersByTimeAsync(DEADLINE_MS - 1);
    expect(first).toBe('waiting');
    await vi.advanceTimersByTimeAsync(1);
    expect(first).toBeNull();
    answer(LIST);
    expect(await catalog.read()).toEqual(LIST);
    expect(cmms.reads).toBe(1);
  });

  it('never holds a message past the deadline, however long the CMMS hangs', async () => {
    const cmms = fakeCmms();
    cmms.answer(never);
    const catalog = catalogOver(cmms);
    catalog.warm();
    const read = catalog.read();
    await vi.advanceTimersByTimeAsync(DEADLINE_MS);
    expect(await read).toBeNull();
  });

  it('serves the last good list while the CMMS is down, and refreshes it once it is back', async () => {
    const cmms = fakeCmms();
    cmms.answer(async () => LIST);
    const catalog = catalogOver(cmms);
    catalog.warm();
    await vi.advanceTimersByTimeAsync(0);
    cmms.answer(down);
    await vi.advanceTimersByTimeAsync(REFRESH_MS);
    // Old enough to refresh: answered at once from the kept list, the refresh fails in the background.
    expect(await catalog.read()).toEqual(LIST);
    expect(cmms.reads).toBe(2);
    await vi.advanceTimersByTimeAsync(0);
    expect(await catalog.read()).toEqual(LIST);
    expect(cmms.reads).toBe(2); // a failed read is not tried again at once

    const renamed = LIST.map((e) =>
      e.codigointerno === 'CAT-001' ? { ...e, nombreequipo: 'Excavadora CAT 320 GC' } : e,
    );
    cmms.answer(async () => renamed);
    await vi.advanceTimersByTimeAsync(RETRY_MS);
    expect(await catalog.read()).toEqual(LIST); // the refresh starts now
    await vi.advanceTimersByTimeAsync(0);
    expect(await catalog.read()).toEqual(renamed);
  });

  it('answers null at once during an outage with nothing known, and asks the CMMS again later', async () => {
    const cmms = fakeCmms();
    cmms.answer(down);
    const catalog = catalogOver(cmms);
    expect(await catalog.read()).toBeNull();
    expect(await catalog.read()).toBeNull();
    expect(cmms.reads).toBe(1);
    cmms.answer(async () => LIST);
    await vi.advanceTimersByTimeAsync(RETRY_MS);
    expect(await catalog.read()).toEqual(LIST);
    expect(cmms.reads).toBe(2);
  });
});
