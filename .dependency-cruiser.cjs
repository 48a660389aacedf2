// The layering of omnibot, checked by dependency-cruiser (docs/architecture.md, "Folders and their rule").
// `npm test` runs it through test/architecture/layers.test.ts; by hand:
//   npx depcruise --config .dependency-cruiser.cjs app core lib plugins machines workflows channels.ts main.ts
// Test code (*.test.ts, test/, bench/, scripts/) may import anything: its imports are not followed.
//
// The folder rules leave one direction only for values:
//   main.ts -> app/ -> channels.ts -> plugins/<channel>/ -> core/ -> workflows/ -> lib/
//                  \-> machines/ (types only from core/) -> workflows/
//                                 \-> language/ (the Spanish toolkit: lib/ and packages only)
// workflows/ (one module per workflow, run by core/) imports nothing from core/ (it declares what it
// needs of the CMMS in workflows/cmms.ts; Reply is in lib/),
// and `no-circular` forbids circles between modules, type-only imports included.

/** Test code, exempt from the folder rules. */
const TEST_CODE = '(^|/)[^/]+\\.test\\.ts$|^(test|bench|scripts)/';

/** What core/ must never know about: the conversation, the channels, the composition root. */
const OUTSIDE_CORE = '^(machines|plugins|app)/|^(channels|main)\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-not-to-outer',
      comment:
        'core/ is infrastructure and runtime: it never imports machines/, plugins/, app/, channels.ts or main.ts.',
      severity: 'error',
      from: { path: '^core/', pathNot: TEST_CODE },
      to: { path: OUTSIDE_CORE },
    },
    {
      name: 'machines-only-types-from-core',
      comment: 'machines/ is pure (XState, intents, replies): from core/ it imports types only (`import type`).',
      severity: 'error',
      from: { path: '^machines/', pathNot: TEST_CODE },
      to: { path: '^core/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'machines-not-to-outer',
      comment: 'machines/ never imports plugins/, app/, channels.ts or main.ts.',
      severity: 'error',
      from: { path: '^machines/', pathNot: TEST_CODE },
      to: { path: '^(plugins|app)/|^(channels|main)\\.ts$' },
    },
    {
      name: 'plugin-not-to-outer',
      comment: 'A channel plugin uses core/ only: never machines/, app/, channels.ts or main.ts.',
      severity: 'error',
      from: { path: '^plugins/', pathNot: TEST_CODE },
      to: { path: '^(machines|app)/|^(channels|main)\\.ts$' },
    },
    {
      name: 'plugin-not-to-other-plugin',
      comment: 'A channel is one folder: a plugin never imports another plugin (shared code belongs in core/).',
      severity: 'error',
      from: { path: '^plugins/([^/]+)/', pathNot: TEST_CODE },
      to: { path: '^plugins/', pathNot: '^plugins/$1/' },
    },
    {
      name: 'not-to-test-code',
      comment: 'Production code never imports test code (tests, their support, benchmarks, scripts).',
      severity: 'error',
      from: { pathNot: TEST_CODE },
      to: { path: TEST_CODE },
    },
    {
      name: 'no-circular',
      comment: 'No circular imports in production code, type-only imports included.',
      severity: 'error',
      from: { pathNot: TEST_CODE },
      to: { circular: true },
    },
    {
      name: 'workflows-not-to-core',
      comment:
        'workflows/ (the catalog and one module per workflow) is read by core/ and machines/: it declares what it needs of the CMMS itself (workflows/cmms.ts) and imports nothing from core/, not even types (that would be a circle between the folders).',
      severity: 'error',
      from: { path: '^workflows/', pathNot: TEST_CODE },
      to: { path: '^core/' },
    },
    {
      name: 'workflows-not-to-outer',
      comment:
        'workflows/ is read by core/ and machines/: it never imports machines/, plugins/, app/, channels.ts or main.ts.',
      severity: 'error',
      from: { path: '^workflows/', pathNot: TEST_CODE },
      to: { path: '^(machines|plugins|app)/|^(channels|main)\\.ts$' },
    },
    {
      name: 'lib-is-a-leaf',
      comment: 'lib/ holds pure helpers every folder may use (text folding): it imports nothing of the project.',
      severity: 'error',
      from: { path: '^lib/', pathNot: TEST_CODE },
      to: { path: '^(core|machines|plugins|app|workflows|language)/|^(channels|main)\\.ts$' },
    },
    {
      name: 'language-is-a-leaf',
      comment:
        'language/ (intent classifier, slot extractors, corpus) knows Spanish and plain catalog data only: it imports lib/ and packages, nothing of the runtime, the conversation, the channels or the workflows.',
      severity: 'error',
      from: { path: '^language/', pathNot: TEST_CODE },
      to: { path: '^(core|machines|plugins|app|workflows)/|^(channels|main)\\.ts$' },
    },
    {
      name: 'language-only-from-machines',
      comment:
        'The conversation (machines/) is what reads messages with language/; core/ sees only what the model returns (`understand`), and plugins/ and workflows/ never read language.',
      severity: 'error',
      from: { path: '^(core|plugins|workflows)/', pathNot: TEST_CODE },
      to: { path: '^language/' },
    },
    {
      name: 'channel-list-not-to-outer',
      comment: 'channels.ts lists the plugins: it imports plugins/ and core/ only.',
      severity: 'error',
      from: { path: '^channels\\.ts$' },
      to: { path: '^(machines|app)/|^main\\.ts$' },
    },
    {
      name: 'app-not-to-main',
      comment: 'app/ is the composition root; main.ts (the process entry) starts it, never the other way round.',
      severity: 'error',
      from: { path: '^app/', pathNot: TEST_CODE },
      to: { path: '^main\\.ts$' },
    },
    {
      name: 'not-to-dev-dep',
      comment: 'Production code runs with runtime dependencies only (the image installs with --omit=dev).',
      severity: 'error',
      from: { pathNot: TEST_CODE },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves (a typo or a package missing from package.json).',
      severity: 'error',
      from: { pathNot: TEST_CODE },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Type-only imports count: they are what machines/ may use, and a type-only circle is still a circle.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Test code is a leaf: seen when production code imports it (not-to-test-code), never followed.
    doNotFollow: { path: ['node_modules', TEST_CODE] },
    // Packages' subpath exports (hono/body-limit, graphql-ws/use/ws) resolve as Node resolves them.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
