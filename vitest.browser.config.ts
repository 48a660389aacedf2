import { defineConfig } from 'vitest/config';

/** `npm run test:browser`: the web chat, the link page, the operator console and GraphiQL end to end in Debian's headless Chromium (scripts/install-chromium.sh). */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.e2e.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
