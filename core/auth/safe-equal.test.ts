import { describe, expect, it } from 'vitest';
import { safeEqual } from './safe-equal.ts';

describe('safeEqual', () => {
  it('accepts the same value and refuses any other, of any length, however often it is asked', () => {
    for (let round = 0; round < 3; round++) {
      expect(safeEqual('s3cret-key', 's3cret-key')).toBe(true);
      expect(safeEqual('s3cret-kez', 's3cret-key')).toBe(false);
      expect(safeEqual('s3cret', 's3cret-key')).toBe(false);
      expect(safeEqual('', 's3cret-key')).toBe(false);
      expect(safeEqual('s3cret-key', 'other-key')).toBe(false);
    }
  });

  it('keeps telling values apart past its cache of compared values', () => {
    for (let i = 0; i < 200; i++) expect(safeEqual(`key-${i}`, `key-${i}`)).toBe(true);
    for (let i = 0; i < 200; i++) expect(safeEqual(`key-${i}`, `key-${i + 1}`)).toBe(false);
  });
});
