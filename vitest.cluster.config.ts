import { defineConfig } from 'vitest/config';

// `npm run test:cluster`: the Redis Cluster tier, against the throw-away cluster that
// scripts/redis-cluster/test.sh starts (REDIS_CLUSTER_NODES; REDIS_URL unset). Files run one at a
// time: each starts gateway processes of its own on the same cluster.
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    globalSetup: ['test/cluster/global-setup.ts'],
  },
});
