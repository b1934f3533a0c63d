import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Node clients (real partysocket) against a real `wrangler dev` started once by the global setup.
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['tests/relay-loopback/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['tests/relay-loopback/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    // One relay process serves every file; running files one at a time keeps the 2-core machine calm.
    fileParallelism: false,
  },
});
