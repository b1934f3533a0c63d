/**
 * Builds the test add-ons once per run, so `npm test` (which runs this config directly) never tests
 * a stale build: Firefox for every file here, Chrome for the cross-browser test. TT_FIREFOX_EXTENSION_DIR
 * and TT_EXTENSION_DIR point at prebuilt ones instead.
 */
import { spawnSync } from 'node:child_process';

function build(args: string[]): void {
  const r = spawnSync('npx', ['wxt', 'build', ...args, '--mode', 'test'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`wxt build ${args.join(' ')} --mode test exited with ${r.status}`);
}

export default function setup(): void {
  if (!process.env.TT_FIREFOX_EXTENSION_DIR) build(['-b', 'firefox']);
  if (!process.env.TT_EXTENSION_DIR) build([]);
}
