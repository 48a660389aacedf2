import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { layerViolations, PRODUCTION_ROOTS, ROOT } from './cruise.ts';

// The layering of docs/architecture.md ("Folders and their rule"), as .dependency-cruiser.cjs states it.
describe('layering', () => {
  it('holds for the production code: core/ knows no machine, plugin or app; machines/ take only types from core/; no circles', async () => {
    const violations = await layerViolations(ROOT, PRODUCTION_ROOTS);
    expect(
      violations,
      `layering violations (rules in .dependency-cruiser.cjs):\n  ${violations.join('\n  ')}\n`,
    ).toEqual([]);
  });

  it('catches each kind of break, and accepts what the layout allows (test/fixtures/layers)', async () => {
    const fixture = join(ROOT, 'test/fixtures/layers');
    // language/'s rules have a fixture of their own (test/language/layers.test.ts).
    const roots = PRODUCTION_ROOTS.filter((root) => root !== 'language');
    const violations = await layerViolations(fixture, [...roots, 'test']);
    expect(violations).toEqual([
      'channel-list-not-to-outer: channels.ts → machines/replies.ts',
      'core-not-to-outer: core/runtime.ts → machines/conversation.ts',
      'lib-is-a-leaf: lib/fold.ts → core/types.ts',
      'machines-not-to-outer: machines/replies.ts → plugins/beta/index.ts',
      'machines-only-types-from-core: machines/conversation.ts → core/types.ts',
      'no-circular: core/delivery.ts → core/plugin.ts → core/delivery.ts',
      'not-to-dev-dep: core/dev-only.ts → npm:vitest',
      'not-to-test-code: core/debug.ts → test/helper.ts',
      'plugin-not-to-other-plugin: plugins/alpha/index.ts → plugins/beta/index.ts',
      'plugin-not-to-outer: plugins/alpha/index.ts → machines/conversation.ts',
      'workflows-not-to-core: workflows/catalog.ts → core/types.ts',
      'workflows-not-to-outer: workflows/pending_orders.ts → machines/replies.ts',
    ]);
  });
});
