/**
 * Backup, restore, export and import of 10,000 and 100,000 todos in real Chromium with the built
 * extension, driven through the side panel's buttons as a person would (run: npm run bench:backup,
 * after the Node part). Each time is from the click that starts the job to the sentence that reports
 * it (the download has been handed to the browser by then); it includes the page ↔ worker hops over
 * 'tt.files', the worker's yields between 2,000-row chunks and Playwright's own round trips. It also
 * checks the counts, so a run is a proof that 100,000 todos work in the browser, not only a figure.
 * BENCH_BACKUP_SIZES=10000,100000 (default) picks the sizes. Asserts nothing about time.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';
import {
  clickMoreAction,
  launchWithExtension,
  newProfileDir,
  openSidePanel,
  sendRequest,
} from '../e2e/fixtures';

const SIZES = (process.env.BENCH_BACKUP_SIZES ?? '10000,100000').split(',').map(Number);
const PASS = 'tulip orbit canyon pebble';
/** Generous: a 100,000-todo job on a loaded 2-core machine takes tens of seconds. */
const JOB_MS = 600_000;
const SEED_STEP = 10_000;

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const status = (p: Page) => p.getByRole('region', { name: 'Backup and files' }).getByRole('status');

async function withProfile<T>(fn: (ctx: BrowserContext) => Promise<T>): Promise<T> {
  const dir = newProfileDir();
  const ctx = await launchWithExtension(dir);
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Waits (bounded) until the status line matches `want`, and returns its text. */
async function waitStatus(panel: Page, want: RegExp): Promise<string> {
  await status(panel).filter({ hasText: want }).waitFor({ timeout: JOB_MS });
  return (await status(panel).textContent()) ?? '';
}

async function timedDownload(panel: Page, button: string, want: RegExp, to: string) {
  const download = panel.waitForEvent('download', { timeout: JOB_MS });
  const t = performance.now();
  await panel.getByRole('button', { name: button }).click();
  const said = await waitStatus(panel, want);
  const ms = performance.now() - t;
  await (await download).saveAs(to);
  return { ms, said, bytes: statSync(to).size };
}

const work = mkdtempSync(path.join(tmpdir(), 'tt-bench-backup-'));
try {
  for (const n of SIZES) {
    const backup = path.join(work, `${n}.ttbackup`);
    const json = path.join(work, `${n}.json`);
    const csv = path.join(work, `${n}.csv`);
    const made = await withProfile(async (ctx) => {
      const seeder = await openSidePanel(ctx);
      // In requests of 10,000: the DB host restarts a worker that has not answered in 15 s, and one
      // 100,000-row seed took longer than that on the loaded machine.
      for (let left = n; left > 0; left -= SEED_STEP) {
        const seeded = await sendRequest(seeder, { kind: 'dev.seed', count: Math.min(SEED_STEP, left) });
        if (!(seeded as { ok: boolean }).ok) throw new Error(`seeding failed: ${JSON.stringify(seeded)}`);
      }
      await seeder.close();
      const panel = await openSidePanel(ctx);
      await clickMoreAction(panel, 'Back up…');
      await panel.getByRole('textbox', { name: 'Passphrase', exact: true }).fill(PASS);
      await panel.getByRole('textbox', { name: 'Repeat passphrase' }).fill(PASS);
      const b = await timedDownload(panel, 'Save backup', new RegExp(`^Backup of ${n} todos`), backup);
      await clickMoreAction(panel, 'Export…');
      await panel.getByRole('combobox', { name: 'Format' }).selectOption({ label: 'JSON' });
      const j = await timedDownload(panel, 'Export todos', new RegExp(`^Exported ${n} todos`), json);
      await panel.getByRole('combobox', { name: 'Format' }).selectOption({ label: 'CSV' });
      const c = await timedDownload(panel, 'Export todos', new RegExp(`^Exported ${n} todos`), csv);
      return { b, j, c };
    });

    const restored = await withProfile(async (ctx) => {
      const panel = await openSidePanel(ctx);
      await clickMoreAction(panel, 'Restore…');
      await panel.getByLabel('Backup file').setInputFiles(backup);
      await panel.getByRole('textbox', { name: 'Passphrase' }).fill(PASS);
      const t = performance.now();
      await panel.getByRole('button', { name: 'Restore backup' }).click();
      const said = await waitStatus(panel, /^Restored: /);
      const ms = performance.now() - t;
      if (!said.startsWith(`Restored: ${n} added, 0 changed`)) throw new Error(`restore said: ${said}`);
      // The list's own count: every restored todo is in the database the side panel reads.
      await panel.getByRole('radio', { name: `All (${n})` }).waitFor({ timeout: JOB_MS });
      return { ms };
    });

    const imported = await withProfile(async (ctx) => {
      const panel = await openSidePanel(ctx);
      await clickMoreAction(panel, 'Import…');
      let t = performance.now();
      await panel.getByLabel('File to import').setInputFiles(json);
      await panel.getByRole('button', { name: `Import ${n} todos` }).waitFor({ timeout: JOB_MS });
      const preview = performance.now() - t;
      t = performance.now();
      await panel.getByRole('button', { name: `Import ${n} todos` }).click();
      const said = await waitStatus(panel, /^Imported /);
      const ms = performance.now() - t;
      if (said !== `Imported ${n} todos.`) throw new Error(`import said: ${said}`);
      await panel.getByRole('radio', { name: `All (${n})` }).waitFor({ timeout: JOB_MS });
      return { preview, ms };
    });

    const r = (x: number) => Math.round(x).toLocaleString('en-US');
    console.log(
      `Chromium, ${n.toLocaleString('en-US')} todos: backup ${r(made.b.ms)} ms (${mb(made.b.bytes)}); ` +
        `restore into a fresh profile ${r(restored.ms)} ms (list shows all); ` +
        `JSON export ${r(made.j.ms)} ms (${mb(made.j.bytes)}); CSV export ${r(made.c.ms)} ms (${mb(made.c.bytes)}); ` +
        `JSON import: preview ${r(imported.preview)} ms, write ${r(imported.ms)} ms`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
