import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import type { Page } from '@playwright/test';
import {
  addTodo,
  clickMoreAction,
  expect,
  expectTitles,
  launchWithExtension,
  newProfileDir,
  openMoreActions,
  openSidePanel,
  test,
  todoItem,
} from './fixtures';

const PASS = 'tulip orbit canyon pebble';
const status = (p: Page) => p.getByRole('region', { name: 'Backup and files' }).getByRole('status');

async function makeBackup(panel: Page, file: string) {
  await clickMoreAction(panel, 'Back up…');
  await panel.getByRole('textbox', { name: 'Passphrase', exact: true }).fill(PASS);
  await panel.getByRole('textbox', { name: 'Repeat passphrase' }).fill(PASS);
  const download = panel.waitForEvent('download');
  await panel.getByRole('button', { name: 'Save backup' }).click();
  const d = await download;
  expect(d.suggestedFilename()).toMatch(/^todo-tasker-\d{4}-\d{2}-\d{2}\.ttbackup$/);
  await d.saveAs(file);
  await expect(status(panel)).toContainText('Backup of');
}

async function restore(panel: Page, file: string, pass: string) {
  await clickMoreAction(panel, 'Restore…');
  await panel.getByLabel('Backup file').setInputFiles(file);
  await panel.getByRole('textbox', { name: 'Passphrase' }).fill(pass);
  await panel.getByRole('button', { name: 'Restore backup' }).click();
}

test('backs up, restores into a fresh profile, and refuses a wrong passphrase without changes', async ({
  context,
}) => {
  // Two profiles and six restores, four of them through Argon2id at 64 MiB: over a minute when the
  // shared machine is loaded.
  test.setTimeout(180_000);
  const file = path.join(tmpdir(), `tt-e2e-${Date.now()}.ttbackup`);
  const panel = await openSidePanel(context);
  await addTodo(panel, 'Water plants');
  await addTodo(panel, 'Secret needle title');
  await makeBackup(panel, file);
  expect(readFileSync(file).toString('latin1')).not.toContain('needle');

  const dir = newProfileDir();
  const other = await launchWithExtension(dir);
  try {
    const fresh = await openSidePanel(other);
    await addTodo(fresh, 'Already here');
    await restore(fresh, file, 'wrong passphrase');
    await expect(status(fresh)).toHaveText(/does not open this backup\. Nothing was changed/);
    await expectTitles(fresh, ['Already here']);
    // A cut-off copy, a changed byte in the last segment, and a newer format version each get their
    // own words, and none changes the list.
    const bytes = readFileSync(file);
    const damaged: [string, Buffer, RegExp][] = [
      ['cut', bytes.subarray(0, bytes.length - 40), /incomplete .* Nothing was changed/],
      [
        'flipped',
        Buffer.from(bytes.map((b, i) => (i === bytes.length - 5 ? b ^ 1 : b))),
        /damaged or was changed/,
      ],
      ['newer', Buffer.from(bytes.map((b, i) => (i === 9 ? 2 : b))), /made by a newer version/],
    ];
    for (const [name, content, words] of damaged) {
      const bad = `${file}.${name}.ttbackup`;
      writeFileSync(bad, content);
      await fresh.getByLabel('Backup file').setInputFiles(bad);
      await fresh.getByRole('textbox', { name: 'Passphrase' }).fill(PASS);
      await fresh.getByRole('button', { name: 'Restore backup' }).click();
      await expect(status(fresh)).toHaveText(words);
      await expectTitles(fresh, ['Already here']);
      rmSync(bad);
    }
    await fresh.getByLabel('Backup file').setInputFiles(file);
    await fresh.getByRole('textbox', { name: 'Passphrase' }).fill(PASS);
    await fresh.getByRole('button', { name: 'Restore backup' }).click();
    await expect(status(fresh)).toHaveText(/Restored: 2 added, 0 changed/);
    await expectTitles(fresh, ['Already here', 'Water plants', 'Secret needle title']);
  } finally {
    await other.close();
  }
});

async function exportFile(panel: Page, format: 'CSV' | 'JSON', scope: 'All todos' | 'Current filter') {
  await clickMoreAction(panel, 'Export…');
  await panel.getByRole('combobox', { name: 'Format' }).selectOption({ label: format });
  await panel.getByRole('radio', { name: scope }).check();
  const download = panel.waitForEvent('download');
  await panel.getByRole('button', { name: 'Export todos' }).click();
  const d = await download;
  await expect(status(panel)).toHaveText(/^Exported \d+ todos to /);
  const said = await status(panel).textContent();
  await clickMoreAction(panel, 'Export…'); // close
  return { name: d.suggestedFilename(), text: readFileSync(await d.path()).toString('utf8'), said };
}

test('exports the completed filter as CSV', async ({ context }) => {
  const panel = await openSidePanel(context);
  await addTodo(panel, '=SUM(A1)');
  await addTodo(panel, 'Still open');
  await todoItem(panel, '=SUM(A1)').getByRole('checkbox').check();
  await panel.getByRole('radio', { name: /^Completed/ }).check();
  await expectTitles(panel, ['=SUM(A1)']);
  const { name, text } = await exportFile(panel, 'CSV', 'Current filter');
  expect(name).toMatch(/^todo-tasker-\d{4}-\d{2}-\d{2}\.csv$/);
  expect(text.startsWith('\ufefftitle,description,completed,priority,due date,created,updated\r\n')).toBe(
    true,
  );
  expect(text).toContain(`"'=SUM(A1)",,yes,medium,`);
  expect(text).not.toContain('Still open');
});

test('exports exactly the rows of the current filter and search, or all todos', async ({ context }) => {
  const panel = await openSidePanel(context);
  for (const t of ['Buy milk', 'Buy bread', 'Milk the cow', 'Call mum', 'Oat milk']) await addTodo(panel, t);
  for (const t of ['Buy milk', 'Milk the cow', 'Call mum'])
    await todoItem(panel, t).getByRole('checkbox').check();
  await panel.getByRole('searchbox', { name: 'Search todos' }).fill('milk');
  await panel.getByRole('radio', { name: /^Completed/ }).check();
  await expectTitles(panel, ['Buy milk', 'Milk the cow']);
  await clickMoreAction(panel, 'Export…');
  await expect(panel.getByRole('radio', { name: 'Current filter' })).toHaveAccessibleDescription(
    '(Completed todos matching “milk”)',
  );
  await clickMoreAction(panel, 'Export…');

  const titles = (text: string) =>
    (JSON.parse(text) as { todos: { title: string; completed: boolean }[] }).todos.map((t) => t.title).sort();
  const current = await exportFile(panel, 'JSON', 'Current filter');
  expect(current.name).toMatch(/\.json$/);
  expect(JSON.parse(current.text)).toMatchObject({ filter: 'completed', search: 'milk' });
  expect(titles(current.text)).toEqual(['Buy milk', 'Milk the cow']);
  expect(current.said).toMatch(/^Exported 2 todos to /);

  const all = await exportFile(panel, 'JSON', 'All todos');
  expect(JSON.parse(all.text)).toMatchObject({ filter: 'all', search: '' });
  expect(titles(all.text)).toEqual(['Buy bread', 'Buy milk', 'Call mum', 'Milk the cow', 'Oat milk']);

  // The same rows as CSV: the first column of each line after the header.
  const csv = await exportFile(panel, 'CSV', 'Current filter');
  const lines = csv.text.trim().split('\r\n').slice(1);
  expect(lines.map((l) => l.split(',')[0]).sort()).toEqual(['Buy milk', 'Milk the cow']);
});

test('imports a CSV through the preview, and importing it again adds nothing', async ({ context }) => {
  const file = path.join(tmpdir(), `tt-e2e-${Date.now()}.csv`);
  writeFileSync(file, 'Name;Notes;Done\n"Pay <b>rent</b>";"first\nsecond";yes\nCall mum;;no\n');
  const panel = await openSidePanel(context);
  for (let round = 0; round < 2; round++) {
    await clickMoreAction(panel, 'Import…');
    await panel.getByLabel('File to import').setInputFiles(file);
    const table = panel.getByRole('table', { name: 'Import preview' });
    await expect(table.getByRole('row')).toHaveCount(3);
    await expect(table).toContainText('Pay <b>rent</b>');
    // A title from the file is laid out in its own direction (a Hebrew or Arabic one right to left).
    await expect(table.getByRole('cell', { name: 'Call mum', exact: true })).toHaveAttribute('dir', 'auto');
    await expect(panel.getByRole('combobox', { name: 'Title column' })).toHaveValue('0');
    await panel.getByRole('button', { name: 'Import 2 todos' }).click();
    await expect(status(panel)).toHaveText(
      round === 0 ? 'Imported 2 todos.' : 'Imported 0 todos; 2 were imported before and skipped.',
    );
    await clickMoreAction(panel, 'Import…'); // close
  }
  await expectTitles(panel, ['Pay <b>rent</b>', 'Call mum']);
  await expect(todoItem(panel, 'Pay <b>rent</b>').getByRole('checkbox')).toBeChecked();
});

test('reminds a single device to back up until dismissed', async ({ context }) => {
  const panel = await openSidePanel(context);
  await addTodo(panel, 'Only copy');
  await panel.reload();
  const note = panel.getByRole('note');
  await expect(note).toContainText('no backup from the last 30 days');
  await note.getByRole('button', { name: 'Not now' }).click();
  await expect(note).toHaveCount(0);
  await panel.reload();
  await openMoreActions(panel);
  await expect(panel.getByRole('button', { name: 'Back up…' })).toBeVisible();
  await expect(panel.getByRole('note')).toHaveCount(0);
});

test('restoring an older backup keeps newer edits', async ({ context }) => {
  const file = path.join(tmpdir(), `tt-e2e-${Date.now()}-older.ttbackup`);
  const panel = await openSidePanel(context);
  await addTodo(panel, 'Draft report');
  await makeBackup(panel, file);
  await clickMoreAction(panel, 'Back up…'); // close the backup form
  await todoItem(panel, 'Draft report').getByRole('button', { name: 'Edit Draft report' }).click();
  await panel.getByRole('textbox', { name: 'Title' }).fill('Final report');
  await panel.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(todoItem(panel, 'Final report')).toBeVisible();
  await restore(panel, file, PASS);
  await expect(status(panel)).toHaveText(/Restored: 0 added, 0 changed, 1 already up to date/);
  await expectTitles(panel, ['Final report']);
});
