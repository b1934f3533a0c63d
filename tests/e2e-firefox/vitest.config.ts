import { defineConfig } from 'vitest/config';

// Real Firefox ESR with the built add-on (see firefox.ts). Browsers share two cores with other
// work, so files run one after another and each test gets a generous budget.
export default defineConfig({
  test: {
    include: ['tests/e2e-firefox/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['tests/e2e-firefox/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
