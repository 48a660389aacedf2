import { defineConfig } from 'vitest/config';

// `npm run test:airflow`: the Airflow tier, against a real Airflow started by scripts/airflow/test.sh
// (AIRFLOW_URL, AIRFLOW_USERNAME, AIRFLOW_PASSWORD). Files run one at a time: they share Airflow's
// Variables and its few executor slots.
export default defineConfig({
  test: {
    include: ['test/airflow/**/*.test.ts'],
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // The tests' own Redis database, never the developer's REDIS_URL (test/support/redis.ts).
    globalSetup: ['test/support/global-setup.ts'],
  },
});
