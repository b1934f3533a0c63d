import { fileURLToPath } from 'node:url';
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { ensurePublicDir } from '../../scripts/relay-process.mjs';
import { TEST_VARS } from './test-limits';

ensurePublicDir();

// Inside workerd, against relay/wrangler.jsonc, with the limits of test-limits.ts.
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  plugins: [
    cloudflareTest({
      wrangler: { configPath: fileURLToPath(new URL('../../relay/wrangler.jsonc', import.meta.url)) },
      miniflare: { bindings: TEST_VARS },
    }),
  ],
  test: {
    include: ['tests/relay/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
