import { defineConfig } from '@playwright/test';

// Chromium with the built extension (see tests/e2e/fixtures.ts). Two cores are shared by several
// engineers, so one worker; a flaky test is a bug, so no retries.
export default defineConfig({
  testDir: 'tests/e2e',
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: { trace: 'retain-on-failure' },
});
