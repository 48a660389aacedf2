import { defineConfig } from 'vitest/config';

// `npm test`: unit tests next to the code and the integration tests under test/ (real Redis, real
// HTTP servers on port 0). The Airflow and browser tiers have configs of their own.
export default defineConfig({
  test: {
    include: [
      'app/**/*.test.ts',
      'core/**/*.test.ts',
      'lib/**/*.test.ts',
      'language/**/*.test.ts',
      'workflows/**/*.test.ts',
      'plugins/**/*.test.ts',
      'machines/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    exclude: ['test/airflow/**', 'test/browser/**', 'test/cluster/**', 'node_modules/**'],
    globalSetup: ['test/support/global-setup.ts'],
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
