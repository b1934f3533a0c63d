/**
 * The add-on as a package: the background is an ES module and SQLite's .wasm ships as its own file
 * (as a classic background script, Vite inlined the .wasm into the DB worker as base64, nearly
 * doubling the add-on), and `wxt zip -b firefox` makes the store zip plus a sources zip that rebuilds
 * byte for byte.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { FIREFOX_EXTENSION_DIR } from './firefox';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : [full];
  });
}

it('ships a module background and SQLite’s wasm as a file of its own, not inlined', () => {
  const manifest = JSON.parse(readFileSync(path.join(FIREFOX_EXTENSION_DIR, 'manifest.json'), 'utf8')) as {
    background?: { type?: string; scripts?: string[] };
  };
  expect(manifest.background).toMatchObject({ type: 'module', scripts: ['background.js'] });
  const all = files(FIREFOX_EXTENSION_DIR);
  expect(all.filter((f) => f.endsWith('.wasm'))).toHaveLength(1);
  const inlined = all.filter(
    (f) => f.endsWith('.js') && readFileSync(f, 'utf8').includes('data:application/wasm'),
  );
  expect(inlined).toEqual([]);
});

it('declares the popup and sidebar shortcuts and the context-menu permission (issue 12)', () => {
  const manifest = JSON.parse(readFileSync(path.join(FIREFOX_EXTENSION_DIR, 'manifest.json'), 'utf8')) as {
    commands?: Record<string, { suggested_key?: { default?: string } }>;
    permissions?: string[];
  };
  // Firefox's reserved commands: the toolbar popup and the sidebar, changeable in about:addons.
  expect(manifest.commands?._execute_action?.suggested_key?.default).toBe('Alt+Shift+D');
  expect(manifest.commands?._execute_sidebar_action?.suggested_key?.default).toBe('Alt+Shift+L');
  expect(manifest.permissions).toEqual(expect.arrayContaining(['contextMenus']));
});

it('makes a store package and a sources zip from which the identical add-on rebuilds, as AMO requires', () => {
  const run = (cmd: string, args: string[], cwd: string) => {
    const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  };
  const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  run('npx', ['wxt', 'zip', '-b', 'firefox'], process.cwd());
  const work = mkdtempSync(path.join(tmpdir(), 'tt-amo-'));
  try {
    const [shipped, sources] = [path.join(work, 'shipped'), path.join(work, 'sources')];
    run('unzip', ['-q', path.resolve(`.output/todo-tasker-${version}-firefox.zip`), '-d', shipped], work);
    run('unzip', ['-q', path.resolve(`.output/todo-tasker-${version}-sources.zip`), '-d', sources], work);
    const listed = files(sources).map((f) => path.relative(sources, f));
    expect(listed).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'wxt.config.ts']));
    expect(listed.filter((f) => /^(node_modules|\.output|relay\/public)\//.test(f))).toEqual([]);
    // A reviewer runs `npm ci`; the installed tree is linked instead, to keep the test offline and fast.
    symlinkSync(path.resolve('node_modules'), path.join(sources, 'node_modules'), 'dir');
    run('npx', ['wxt', 'build', '-b', 'firefox'], sources);
    const rebuilt = path.join(sources, '.output', 'firefox-mv3');
    const digest = (root: string) =>
      Object.fromEntries(
        files(root).map((f) => [
          path.relative(root, f),
          createHash('sha256').update(readFileSync(f)).digest('hex'),
        ]),
      );
    expect(digest(rebuilt)).toEqual(digest(shipped));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
