import { describe, expect, it } from 'vitest';
import { withTypo } from './typos.ts';

describe('the typo the cross-validation puts into an utterance', () => {
  it('changes one letter of one long word, the same way every time', () => {
    const texts = ['la excavadora no arranca', 'quiero desactivar las notificaciones', 'necesito un supervisor'];
    for (const text of texts) {
      const typed = withTypo(text);
      expect(typed, text).not.toBe(text);
      expect(withTypo(text)).toBe(typed);
      const [before, after] = [text.split(' '), typed.split(' ')];
      expect(after.length).toBe(before.length);
      const changed = before.filter((word, i) => word !== after[i]);
      expect(changed).toHaveLength(1);
      expect(changed[0]!.length).toBeGreaterThanOrEqual(5);
      expect(Math.abs(after.join(' ').length - text.length)).toBeLessThanOrEqual(1);
    }
  });

  it('leaves short messages as they are', () => {
    for (const text of ['ok', 'ya po', 'mis ot', '👍']) expect(withTypo(text)).toBe(text);
  });
});
