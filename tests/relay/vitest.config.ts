import { fileURLToPath } from 'node:url';
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { ensurePublicDir } from '../../scripts/relay-process.mjs';

ensurePublicDir();

// Inside workerd, against relay/wrangler.jsonc, with limits shrunk so caps are reached in a few frames.
export const TEST_LIMITS = {
  RELAY_MAX_DEVICES: '3',
  RELAY_RATE_PER_SEC: '1',
  RELAY_RATE_BURST: '20',
};

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  plugins: [
    cloudflareTest({
      wrangler: { configPath: fileURLToPath(new URL('../../relay/wrangler.jsonc', import.meta.url)) },
      miniflare: { bindings: TEST_LIMITS },
    }),
  ],
  test: {
    include: ['tests/relay/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
