import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Sync engines in Node (real partysocket, real crypto, in-memory SQLite WASM) through a real
// `wrangler dev` relay on loopback, started once by the global setup.
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['tests/sync-loopback/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['tests/sync-loopback/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    fileParallelism: false,
  },
});
