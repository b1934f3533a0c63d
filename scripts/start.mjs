#!/usr/bin/env node
/**
 * `npm start`: builds everything (Chrome and Firefox extensions, the phone companion into
 * relay/public), starts the local relay on 127.0.0.1:${RELAY_PORT:-8787}, and says how to load the
 * extension. Ctrl-C stops the relay.
 */
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const port = process.env.RELAY_PORT ?? '8787';
// The extension learns its relay at build time; follow RELAY_PORT unless told otherwise.
const relayUrl = process.env.WXT_RELAY_URL ?? `http://127.0.0.1:${port}`;
// Its own folder: `npm test` and `npm run build*` write .output/chrome-mv3 etc. with the default relay,
// and must not replace the extension a person loaded from here for this relay.
const outDir = resolve(root, '.output', 'start');
const chromeDir = resolve(outDir, 'chrome-mv3');
const firefoxDir = resolve(outDir, 'firefox-mv3');

const build = spawnSync('npm', ['run', 'build:all'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, WXT_RELAY_URL: relayUrl, TT_OUT_DIR: outDir },
});
if (build.status !== 0) process.exit(build.status ?? 1);

console.log(`
Todo-Tasker is built.

  Chrome   chrome://extensions → turn on "Developer mode" → "Load unpacked" → ${chromeDir}
           Pin the toolbar icon; click it for the popup, "Open side panel" for the whole list.
  Firefox  about:debugging#/runtime/this-firefox → "Load Temporary Add-on…" → ${firefoxDir}/manifest.json
           (or: npx web-ext run -s ${firefoxDir}). The list is in the sidebar (View → Sidebar → Todo-Tasker).
  Relay    http://127.0.0.1:${port}  (phone companion at /, pairing links at /p#…)
           Extensions built now talk to ${relayUrl}; set WXT_RELAY_URL before
           \`npm start\` to point them elsewhere (a phone needs an address it can reach; see README "Phone").

Starting the relay (Ctrl-C to stop)…
`);

const relay = spawn(process.execPath, [resolve(root, 'scripts/relay.mjs')], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, RELAY_PORT: port },
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => relay.kill(sig));
relay.on('exit', (code) => process.exit(code ?? 0));
