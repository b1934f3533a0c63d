#!/usr/bin/env node
// Long convergence run: `npm run convergence:long -- --seeds 5000 [--first 1]`.
// Runs tests/unit/convergence.test.ts in chunks of seeds (one vitest process per chunk) and stops
// at the first failing chunk; the failing seeds are printed, replay one with CONVERGENCE_SEED=<n>.
import { spawnSync } from 'node:child_process';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const seeds = arg('seeds', 5000);
const first = arg('first', 1);
const chunk = 500;
const started = Date.now();
for (let from = first; from < first + seeds; from += chunk) {
  const count = Math.min(chunk, first + seeds - from);
  console.log(`seeds ${from}..${from + count - 1}`);
  const r = spawnSync('npx', ['vitest', 'run', 'tests/unit/convergence.test.ts'], {
    stdio: 'inherit',
    env: { ...process.env, CONVERGENCE_FIRST_SEED: String(from), CONVERGENCE_SEEDS: String(count) },
  });
  if (r.status !== 0) {
    console.error(`convergence failed in seeds ${from}..${from + count - 1}`);
    process.exit(1);
  }
}
console.log(`${seeds} seeds converged in ${((Date.now() - started) / 1000).toFixed(0)} s`);
