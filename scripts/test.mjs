#!/usr/bin/env node
/**
 * `npm test`: every suite, in order of cost, stopping at the first failing step. Each vitest or
 * Playwright step also writes a JSON report so the run ends with one plain total line
 * ("Tests: N passed, N failed") that CI can read.
 *
 *   npm test                 all steps
 *   npm test -- unit relay   only the named steps
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const out = mkdtempSync(join(tmpdir(), 'todo-tasker-test-'));
const vitest = (name, config) => ({
  name,
  cmd: 'npx',
  args: [
    'vitest',
    'run',
    ...(config ? ['-c', config] : []),
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${join(out, name + '.json')}`,
  ],
  report: join(out, name + '.json'),
  kind: 'vitest',
});
const playwright = (name, config) => ({
  name,
  cmd: 'npx',
  args: ['playwright', 'test', ...(config ? ['-c', config] : []), '--reporter=list,json'],
  env: { PLAYWRIGHT_JSON_OUTPUT_FILE: join(out, name + '.json') },
  report: join(out, name + '.json'),
  kind: 'playwright',
});
const plain = (name, cmd, args) => ({ name, cmd, args, kind: 'plain' });

const has = (script) => Boolean(JSON.parse(readFileSync('package.json', 'utf8')).scripts?.[script]);
const STEPS = [
  plain('check', 'npm', ['run', 'check']),
  vitest('unit'),
  ...(existsSync('tests/relay/vitest.config.ts') ? [vitest('relay', 'tests/relay/vitest.config.ts')] : []),
  ...(has('check:relay') ? [plain('relay-bundle', 'npm', ['run', 'check:relay'])] : []),
  ...(existsSync('tests/relay-loopback/vitest.config.ts')
    ? [vitest('relay-loopback', 'tests/relay-loopback/vitest.config.ts')]
    : []),
  ...(existsSync('tests/sync-loopback/vitest.config.ts')
    ? [vitest('sync-loopback', 'tests/sync-loopback/vitest.config.ts')]
    : []),
  // Production builds (Chrome, Firefox, phone app) and the test-mode build the browser suites load.
  plain('build', 'npm', ['run', 'build:all']),
  plain('build-test', 'npx', ['wxt', 'build', '--mode', 'test']),
  ...(has('lint:firefox') ? [plain('lint-firefox', 'npm', ['run', 'lint:firefox'])] : []),
  ...(existsSync('playwright.config.ts') ? [playwright('e2e')] : []),
  ...(existsSync('tests/e2e-firefox/vitest.config.ts')
    ? [vitest('e2e-firefox', 'tests/e2e-firefox/vitest.config.ts')]
    : []),
];

const only = process.argv.slice(2);
const steps = only.length ? STEPS.filter((s) => only.includes(s.name)) : STEPS;
let passed = 0;
let failed = 0;
const summary = [];

function count(step) {
  if (!step.report || !existsSync(step.report)) return null;
  const r = JSON.parse(readFileSync(step.report, 'utf8'));
  if (step.kind === 'vitest')
    return { passed: r.numPassedTests ?? 0, failed: (r.numFailedTests ?? 0) + (r.numTodoTests ?? 0) };
  const s = r.stats ?? {};
  return { passed: s.expected ?? 0, failed: (s.unexpected ?? 0) + (s.flaky ?? 0) };
}

let ok = true;
for (const step of steps) {
  const t0 = Date.now();
  console.log(`\n━━ ${step.name}: ${step.cmd} ${step.args.join(' ')}`);
  const res = spawnSync(step.cmd, step.args, { stdio: 'inherit', env: { ...process.env, ...step.env } });
  const c = count(step);
  if (c) {
    passed += c.passed;
    failed += c.failed;
  }
  const secs = ((Date.now() - t0) / 1000).toFixed(0);
  summary.push(
    `${res.status === 0 ? 'ok  ' : 'FAIL'} ${step.name} (${secs}s)${c ? ` ${c.passed} passed, ${c.failed} failed` : ''}`,
  );
  if (res.status !== 0) {
    ok = false;
    if (!c || c.failed === 0) failed += 1; // a step that broke outside its tests still counts as a failure
    break;
  }
}
rmSync(out, { recursive: true, force: true });
console.log('\n' + summary.join('\n'));
console.log(`Tests: ${passed} passed, ${failed} failed`);
process.exit(ok ? 0 : 1);
