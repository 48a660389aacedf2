import { describe, expect, it } from 'vitest';
import type { DeliveryMarks } from '../../core/store/delivery-marks.ts';

/** The behaviour every `DeliveryMarks` must have; run against the memory and the Redis marks. */
export function deliveryMarksContract(name: string, make: (options: { ttlMs: number }) => Promise<DeliveryMarks>) {
  describe(`${name}: DeliveryMarks contract`, () => {
    const order = (msAgo = 0) => (Date.now() - msAgo) * 1000;

    it('knows nothing of a conversation without deliveries', async () => {
      const marks = await make({ ttlMs: 60_000 });
      expect(await marks.latest('chat:nobody')).toBeNull();
    });

    it('keeps the highest order delivered per conversation', async () => {
      const marks = await make({ ttlMs: 60_000 });
      const older = order(10);
      const newer = order();
      await marks.record('chat:1', newer);
      await marks.record('chat:1', older);
      await marks.record('chat:2', older);
      expect(await marks.latest('chat:1')).toBe(newer);
      expect(await marks.latest('chat:2')).toBe(older);
    });

    it('forgets a mark once its message was dispatched longer ago than the TTL', async () => {
      const marks = await make({ ttlMs: 1_000 });
      await marks.record('chat:old', order(5_000));
      await marks.record('chat:new', order());
      expect(await marks.latest('chat:old')).toBeNull();
      expect(await marks.latest('chat:new')).not.toBeNull();
    });
  });
}
