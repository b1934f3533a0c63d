/**
 * Builds the Firefox test add-on once per run, so `npm test` (which runs this config directly)
 * never tests a stale build. TT_FIREFOX_EXTENSION_DIR points at a prebuilt one instead.
 */
import { spawnSync } from 'node:child_process';

export default function setup(): void {
  if (process.env.TT_FIREFOX_EXTENSION_DIR) return;
  const r = spawnSync('npx', ['wxt', 'build', '-b', 'firefox', '--mode', 'test'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`wxt build -b firefox --mode test exited with ${r.status}`);
}
