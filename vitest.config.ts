import { defineConfig } from 'vitest/config';

// Unit and property tests in Node: pure logic, in-memory SQLite WASM, in-memory transport.
export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
