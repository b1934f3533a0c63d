/**
 * The phone companion: a Vite + Svelte 5 build from relay/app into relay/public, which the relay
 * Worker serves as static assets at its root (`/`, and `/p#…` or `/pair#…` through the single-page fallback).
 * `npm run build:phone`.
 */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { precacheManifest } from './precache-plugin.ts';

const root = fileURLToPath(new URL('.', import.meta.url));
const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  publicDir: fileURLToPath(new URL('./static', import.meta.url)),
  plugins: [svelte({ configFile: false }), precacheManifest()],
  resolve: { alias: { '@': projectRoot.replace(/\/$/, '') } },
  // The DB worker imports sqlite-wasm, which has its own chunks; only ES workers can split.
  worker: { format: 'es' },
  // sqlite-wasm resolves its .wasm with import.meta.url; pre-bundling would break that path.
  optimizeDeps: { exclude: ['@sqlite.org/sqlite-wasm'] },
  build: {
    // TT_PHONE_OUT_DIR builds beside, not over, the app another run's relay is serving (tests).
    outDir: process.env.TT_PHONE_OUT_DIR ?? fileURLToPath(new URL('../public', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      input: { index: `${root}index.html`, sw: `${root}sw.ts` },
      output: {
        // The service worker's URL decides its scope and must stay stable across builds.
        entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
});
