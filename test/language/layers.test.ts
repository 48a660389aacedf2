import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { layerViolations, ROOT } from '../architecture/cruise.ts';

// language/ is a leaf like lib/ (lib/ and packages only) and only machines/ read messages with it; the
// production code is checked with the other folders (test/architecture/layers.test.ts).
describe('language layering', () => {
  it('catches language/ importing core/, core/ or lib/ importing language/, and lets machines/ use it', async () => {
    const fixture = join(ROOT, 'test/language/fixtures/layers');
    const violations = await layerViolations(fixture, ['core', 'language', 'lib', 'machines']);
    expect(violations).toEqual([
      'language-is-a-leaf: language/limits.ts → core/types.ts',
      'language-only-from-machines: core/runtime.ts → language/words.ts',
      'lib-is-a-leaf: lib/reads-language.ts → language/words.ts',
    ]);
  });
});
