#!/usr/bin/env node
// Long convergence run: `npm run convergence:long -- --seeds 5000 [--first 1] [--chunk 25]`.
// Runs tests/unit/convergence.test.ts in chunks of seeds (one vitest process per chunk), goes on
// past a failing chunk and ends with the failing seeds and one `N passed, N failed` line; replay a
// failure with CONVERGENCE_SEED=<n>. A chunk must finish inside the test's 10-minute timeout: a
// seed takes about 1.3 s on a quiet 2-core machine but up to 20 s on one shared with other test runs
// (2026-12), where 100-seed chunks timed out; 25 seeds per chunk leave room for that.
import { spawnSync } from 'node:child_process';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const seeds = arg('seeds', 5000);
const first = arg('first', 1);
const chunk = arg('chunk', 25);
const started = Date.now();
const failedSeeds = [];
const failedChunks = [];
for (let from = first; from < first + seeds; from += chunk) {
  const count = Math.min(chunk, first + seeds - from);
  const range = `${from}..${from + count - 1}`;
  const r = spawnSync('npx', ['vitest', 'run', 'tests/unit/convergence.test.ts'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: {
      ...process.env,
      CONVERGENCE_FIRST_SEED: String(from),
      CONVERGENCE_SEEDS: String(count),
      NO_COLOR: '1',
    },
  });
  const output = `${r.stdout}${r.stderr}`;
  const elapsed = ((Date.now() - started) / 1000).toFixed(0);
  if (r.status === 0) {
    console.log(`seeds ${range}: converged (${elapsed} s so far)`);
    continue;
  }
  // The test stops a chunk after 5 failures and prints each as `seed <n>: …`.
  const seen = [...output.matchAll(/^seed (\d+): .*$/gm)];
  for (const m of seen) failedSeeds.push(m[0]);
  if (seen.length === 0) failedChunks.push(range);
  console.log(`seeds ${range}: FAILED (${elapsed} s so far)`);
  console.log(output);
}
const seconds = ((Date.now() - started) / 1000).toFixed(0);
for (const line of failedSeeds) console.log(line);
for (const range of failedChunks) console.log(`seeds ${range}: failed without naming a seed`);
const failed = failedSeeds.length + failedChunks.length;
console.log(`seeds ${first}..${first + seeds - 1} in ${seconds} s`);
console.log(`Convergence: ${seeds - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
