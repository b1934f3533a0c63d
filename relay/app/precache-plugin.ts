/**
 * Writes `precache.json` after the build: every file in the output (HTML, JS, CSS, WASM, workers,
 * icons, manifest) and a version hashed from their names, so the service worker caches exactly this
 * build's app shell and drops the previous one when the version changes. It walks the written
 * directory because worker chunks and `static/` files never appear in the main bundle object.
 */
import { createHash } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Plugin } from 'vite';

/** Never cached: the worker itself (the browser fetches it fresh) and the list it reads. */
const SKIP = new Set(['sw.js', 'precache.json']);

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)).split(sep).join('/'));
}

export function precacheManifest(): Plugin {
  let outDir = '';
  return {
    name: 'tt-precache-manifest',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      const files = listFiles(outDir)
        .filter((f) => !SKIP.has(f) && !f.endsWith('.map'))
        .sort();
      const version = createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 16);
      // `/` is what a home-screen launch and the pairing link load; both are index.html.
      const urls = files.map((f) => (f === 'index.html' ? '/' : `/${f}`));
      writeFileSync(join(outDir, 'precache.json'), JSON.stringify({ version, urls }, null, 2));
    },
  };
}
