import { describe, expect, it } from 'vitest';
import { sendParts } from './send-parts.ts';
import { createSentParts } from './sent-parts.ts';
import type { LateFailure } from './types.ts';

describe('sendParts', () => {
  it('sends every part in order, pacing each one after the first and counting the parts delivered', async () => {
    const events: string[] = [];
    await sendParts(
      ['a', 'b', 'c'],
      {
        beforePart: async (part) => void events.push(`wait ${part}`),
        onPartSent: (sent) => events.push(`sent ${sent}`),
      },
      async (part, index) => void events.push(`send ${part}@${index}`),
    );
    expect(events).toEqual(['send a@0', 'sent 1', 'wait 1', 'send b@1', 'sent 2', 'wait 2', 'send c@2', 'sent 3']);
  });

  it('resumes at fromPart without pacing its first call, and never repeats a delivered part', async () => {
    const sent: string[] = [];
    const waits: number[] = [];
    const counts: number[] = [];
    const options = {
      fromPart: 1,
      beforePart: async (part: number) => void waits.push(part),
      onPartSent: (n: number) => counts.push(n),
    };
    await sendParts(['a', 'b', 'c'], options, async (part) => void sent.push(part));
    expect(sent).toEqual(['b', 'c']);
    expect(waits).toEqual([2]);
    expect(counts).toEqual([2, 3]);
    await sendParts(['a'], { fromPart: 5 }, async (part) => void sent.push(part));
    expect(sent).toEqual(['b', 'c']);
  });

  it('stops at a failed part: the count reported is what was delivered before it', async () => {
    const counts: number[] = [];
    const failing = sendParts(['a', 'b', 'c'], { onPartSent: (n) => counts.push(n) }, async (part) => {
      if (part === 'b') throw new Error('upstream down');
      return undefined;
    });
    await expect(failing).rejects.toThrow('upstream down');
    expect(counts).toEqual([1]);
  });

  it("remembers each accepted part's platform id, so a late failure dead-letters the message from that part", async () => {
    const sentParts = createSentParts();
    const failures: LateFailure[] = [];
    const deadLetter = async (failure: LateFailure) => void failures.push(failure);
    await sendParts(['a', 'b'], { deadLetter }, async (part) => `id-${part}`, sentParts);
    const failure = { code: 'delivery_failed', reason: 'carrier', retryable: false };
    expect(await sentParts.reportFailed('id-b', failure)).toBe(true);
    expect(failures).toEqual([{ ...failure, partsSent: 1 }]);
    expect(await sentParts.reportFailed('unknown', failure)).toBe(false);
  });
});
