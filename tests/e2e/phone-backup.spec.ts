/**
 * Backup, restore, export and import on the phone companion (issue 15): the same BackupTools as the
 * side panel, talking to the phone page's own DB worker over the 'tt.files' BroadcastChannel. The app
 * is served by a real relay on loopback; each Playwright context is a fresh phone (its own OPFS).
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';
import {
  addTodo,
  clickMoreAction,
  expectTitles,
  launchWithExtension,
  newProfileDir,
  openSidePanel,
  todoItem,
} from './fixtures';
import { expect, openPhone, PHONE, test } from './phone-fixtures';

// Each test starts one or two cold phones (and one the extension) and runs Argon2id at 64 MiB twice.
test.describe.configure({ timeout: 180_000 });

const PASS = 'tulip orbit canyon pebble';
const status = (p: Page) => p.getByRole('region', { name: 'Backup and files' }).getByRole('status');
/**
 * Opens an empty phone and waits until its list has loaded from its own new database. A cold DB
 * worker (WASM compile, OPFS pool) took 6–9 s on this shared 2-core machine under load, longer than
 * addTodo's per-step wait; the empty-list sentence appears only once the first query answered.
 */
async function openEmptyPhone(context: BrowserContext, url: string): Promise<Page> {
  const page = await openPhone(context, url);
  await expect(page.getByText(/^No todos yet\./)).toBeVisible({ timeout: 60_000 });
  return page;
}
const tmpFile = (ext: string) => path.join(tmpdir(), `tt-phone-${Date.now()}-${Math.random()}.${ext}`);

async function makeBackup(page: Page, file: string) {
  await page.getByRole('button', { name: 'Back up…' }).tap();
  await page.getByRole('textbox', { name: 'Passphrase', exact: true }).fill(PASS);
  await page.getByRole('textbox', { name: 'Repeat passphrase' }).fill(PASS);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Save backup' }).tap();
  const d = await download;
  expect(d.suggestedFilename()).toMatch(/^todo-tasker-\d{4}-\d{2}-\d{2}\.ttbackup$/);
  await d.saveAs(file);
  await expect(status(page)).toContainText('Backup of');
}

async function restore(page: Page, file: string, pass: string) {
  await page.getByRole('button', { name: 'Restore…' }).tap();
  await page.getByLabel('Backup file').setInputFiles(file);
  await page.getByRole('textbox', { name: 'Passphrase' }).fill(pass);
  await page.getByRole('button', { name: 'Restore backup' }).tap();
}

test('backs up on a phone and restores into a fresh phone; a wrong passphrase changes nothing', async ({
  phoneBrowser,
  phone,
  relay,
}) => {
  const file = tmpFile('ttbackup');
  // One phone at a time, as with two real phones (and fewer renderers on a shared machine).
  const firstContext = await phoneBrowser.newContext({ ...PHONE });
  try {
    const first = await openEmptyPhone(firstContext, relay.url);
    await addTodo(first, 'Water plants');
    await addTodo(first, 'Secret needle title');
    await todoItem(first, 'Water plants').getByRole('checkbox').tap();
    await expect(todoItem(first, 'Water plants').getByRole('checkbox')).toBeChecked();
    await makeBackup(first, file);
  } finally {
    await firstContext.close();
  }
  expect(readFileSync(file).toString('latin1')).not.toContain('needle');

  try {
    const fresh = await openEmptyPhone(phone, relay.url);
    await addTodo(fresh, 'Already here');
    await restore(fresh, file, 'wrong passphrase');
    await expect(status(fresh)).toHaveText(/does not open this backup\. Nothing was changed/);
    await expectTitles(fresh, ['Already here']);
    await fresh.getByRole('textbox', { name: 'Passphrase' }).fill(PASS);
    await fresh.getByRole('button', { name: 'Restore backup' }).tap();
    await expect(status(fresh)).toHaveText(/Restored: 2 added, 0 changed/);
    await expectTitles(fresh, ['Already here', 'Water plants', 'Secret needle title']);
    await expect(todoItem(fresh, 'Water plants').getByRole('checkbox')).toBeChecked();
    // The phone keeps the restored list in its own database.
    await fresh.reload();
    await expectTitles(fresh, ['Already here', 'Water plants', 'Secret needle title']);
  } finally {
    rmSync(file, { force: true });
  }
});

test('exports the current filter and imports a CSV through the preview on a phone', async ({
  phone,
  relay,
}) => {
  const page = await openEmptyPhone(phone, relay.url);
  for (const t of ['Buy milk', 'Oat milk', 'Call mum']) await addTodo(page, t);
  await todoItem(page, 'Buy milk').getByRole('checkbox').tap();
  await page.getByRole('searchbox', { name: 'Search todos' }).fill('milk');
  await page.getByRole('radio', { name: /^Active/ }).check();
  await expectTitles(page, ['Oat milk']);

  await page.getByRole('button', { name: 'Export…' }).tap();
  await page.getByRole('combobox', { name: 'Format' }).selectOption({ label: 'JSON' });
  await page.getByRole('radio', { name: 'Current filter' }).check();
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export todos' }).tap();
  const exported = JSON.parse(readFileSync(await (await download).path()).toString('utf8')) as {
    filter: string;
    search: string;
    todos: { title: string }[];
  };
  expect(exported).toMatchObject({ filter: 'active', search: 'milk' });
  expect(exported.todos.map((t) => t.title)).toEqual(['Oat milk']);
  await expect(status(page)).toHaveText(/^Exported 1 todos to todo-tasker-.*\.json\.$/);

  const csv = tmpFile('csv');
  writeFileSync(csv, '\ufeffTitle,Notes,Done\nRenew passport,"bring\nphotos",no\nBook dentist,,yes\n');
  try {
    await page.getByRole('button', { name: 'Import…' }).tap();
    await page.getByLabel('File to import').setInputFiles(csv);
    const table = page.getByRole('table', { name: 'Import preview' });
    await expect(table.getByRole('row')).toHaveCount(3);
    await expect(page.getByRole('combobox', { name: 'Description column' })).toHaveValue('1');
    await page.getByRole('button', { name: 'Import 2 todos' }).tap();
    await expect(status(page)).toHaveText('Imported 2 todos.');
  } finally {
    rmSync(csv, { force: true });
  }
  await page.getByRole('searchbox', { name: 'Search todos' }).fill('');
  await page.getByRole('radio', { name: /^All/ }).check();
  await expectTitles(page, ['Buy milk', 'Oat milk', 'Call mum', 'Renew passport', 'Book dentist']);
  await expect(todoItem(page, 'Book dentist').getByRole('checkbox')).toBeChecked();
});

test('a backup made in the side panel restores on a phone', async ({ phone, relay }) => {
  const file = tmpFile('ttbackup');
  const dir = newProfileDir();
  const extension = await launchWithExtension(dir);
  try {
    const panel = await openSidePanel(extension);
    await addTodo(panel, 'Desk: file taxes');
    await addTodo(panel, 'Desk: call the bank');
    await clickMoreAction(panel, 'Back up…');
    await panel.getByRole('textbox', { name: 'Passphrase', exact: true }).fill(PASS);
    await panel.getByRole('textbox', { name: 'Repeat passphrase' }).fill(PASS);
    const download = panel.waitForEvent('download');
    await panel.getByRole('button', { name: 'Save backup' }).click();
    await (await download).saveAs(file);
  } finally {
    await extension.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const page = await openEmptyPhone(phone, relay.url);
  await restore(page, file, PASS);
  await expect(status(page)).toHaveText(/Restored: 2 added, 0 changed/);
  await expectTitles(page, ['Desk: file taxes', 'Desk: call the bank']);
  rmSync(file, { force: true });
});
