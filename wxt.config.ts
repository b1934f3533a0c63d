import { defineConfig } from 'wxt';

// A fixed public key pins the unpacked extension's id (and so its OPFS data) across builds and
// machines, so dev and test profiles keep their data. Store builds get their id from the store.
// Filled in by the foundation work; see docs in README.
export default defineConfig({
  modules: ['@wxt-dev/module-svelte'],
  srcDir: '.',
  manifest: {
    name: 'Todo-Tasker',
    description: 'Offline-first todos with end-to-end encrypted device sync.',
    content_security_policy: {
      extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'",
    },
  },
});
