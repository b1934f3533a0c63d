#!/usr/bin/env node
/**
 * `npm run relay`: the relay alone on 127.0.0.1:${RELAY_PORT:-8787}, local state in .wrangler/state.
 * SIGINT/SIGTERM are passed to wrangler (and its workerd) and the runner exits with it.
 * `node scripts/relay.mjs --prepare` only creates relay/public (placeholder) and exits: deploy and the
 * dry-run check need the directory to exist.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { devArgs, ensurePublicDir, freePort, RELAY_CONFIG, wranglerEnv } from './relay-process.mjs';

ensurePublicDir();
if (process.argv.includes('--prepare')) process.exit(0);
const port = Number(process.env.RELAY_PORT ?? 8787);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`RELAY_PORT must be a port number, got ${process.env.RELAY_PORT}`);
  process.exit(2);
}
const persistTo = join(RELAY_CONFIG, '..', '..', '.wrangler', 'state');
const child = spawn(process.execPath, devArgs({ port, inspectorPort: await freePort(), persistTo }), {
  env: wranglerEnv(),
  detached: true,
  stdio: 'inherit',
});

let stopping = false;
const forward = (signal) => {
  if (stopping) return;
  stopping = true;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
  // workerd must not outlive the runner if wrangler ignores the first signal.
  setTimeout(() => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }, 5000).unref();
};
process.on('SIGINT', () => forward('SIGINT'));
process.on('SIGTERM', () => forward('SIGTERM'));
child.on('exit', (code, signal) => process.exit(stopping || signal ? 0 : (code ?? 0)));
