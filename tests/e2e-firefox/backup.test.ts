/**
 * Backup and restore in Firefox ESR (issue 15): the sidebar page and the DB worker of the background
 * page exchange the file over the 'tt.files' BroadcastChannel; the backup is a real download saved by
 * Firefox, and restore reads it through the page's "Backup file" input in another, fresh profile.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, ElementHandle, Page } from 'puppeteer-core';
import { afterEach, describe, expect, it } from 'vitest';
import { launchFirefox, newFirefoxProfileDir, openExtensionPage, pollUntil } from './firefox';
import { addTodo, byName, byRole, isChecked, waitForText, waitForTitles } from './todo-page';

const PASS = 'tulip orbit canyon pebble';
// Password fields are found by name alone: Firefox's tree gives them no `textbox` role to query.

/** The text of the backup tools' status line, or '' while there is none. */
const statusText = (page: Page) =>
  page.evaluate(
    () => document.querySelector('section[aria-label="Backup and files"] [role="status"]')?.textContent ?? '',
  );

/** Types the passphrase over what is there, starts the restore, and waits for a result matching `want`. */
async function restore(page: Page, pass: string, want: RegExp): Promise<string> {
  const input = await byName(page, 'Passphrase');
  await input.click({ count: 3 });
  await page.keyboard.press('Backspace');
  await input.type(pass);
  await (await byRole(page, 'Restore backup', 'button')).click();
  return pollUntil(
    () => statusText(page),
    (t) => want.test(t),
    `a status matching ${want}`,
  );
}

describe('Backup and restore in Firefox ESR', () => {
  const open: Browser[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const b of open.splice(0)) if (b.connected) await b.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tempDir = (make: () => string) => {
    const d = make();
    dirs.push(d);
    return d;
  };

  it('backs up to a downloaded file and restores it into a fresh profile, refusing a wrong passphrase', async () => {
    const downloads = tempDir(() => mkdtempSync(path.join(tmpdir(), 'tt-ff-downloads-')));
    const first = await launchFirefox(tempDir(newFirefoxProfileDir), { downloadDir: downloads });
    open.push(first);
    const sidebar = await openExtensionPage(first, 'sidepanel.html');
    await addTodo(sidebar, 'Water plants');
    await addTodo(sidebar, 'Secret needle title');
    const done = await byRole(sidebar, 'Complete Water plants', 'checkbox');
    await done.click();
    await pollUntil(() => isChecked(done), Boolean, 'Water plants to be checked');

    // Back up… and Restore… are in the side panel's "More actions" list.
    await (await byRole(sidebar, 'More actions', 'button')).click();
    await (await byRole(sidebar, 'Back up…', 'button')).click();
    await (await byName(sidebar, 'Passphrase')).type(PASS);
    await (await byName(sidebar, 'Repeat passphrase')).type(PASS);
    await (await byRole(sidebar, 'Save backup', 'button')).click();
    await waitForText(sidebar, 'Backup of 2 todos saved as');
    // Firefox writes a download to `<name>.part` first and renames it when complete.
    const name = await pollUntil(
      async () =>
        readdirSync(downloads).find(
          (f) => f.endsWith('.ttbackup') && statSync(path.join(downloads, f)).size > 0,
        ),
      (f) => f !== undefined && !readdirSync(downloads).some((g) => g.endsWith('.part')),
      'the backup download',
    );
    expect(name).toMatch(/^todo-tasker-\d{4}-\d{2}-\d{2}\.ttbackup$/);
    const file = path.join(downloads, name!);
    expect(readFileSync(file).toString('latin1')).not.toContain('needle');
    await first.close();

    const second = await launchFirefox(tempDir(newFirefoxProfileDir));
    open.push(second);
    const fresh = await openExtensionPage(second, 'sidepanel.html');
    await addTodo(fresh, 'Already here');
    await (await byRole(fresh, 'More actions', 'button')).click();
    await (await byRole(fresh, 'Restore…', 'button')).click();
    const picker = await pollUntil(
      () => fresh.$('input[type="file"][accept=".ttbackup"]'),
      (h) => h !== null,
      'the Backup file input',
    );
    // The input is found by its label, as a person finds it.
    expect(await picker!.evaluate((el) => el.closest('label')?.textContent?.trim())).toBe('Backup file');
    await (picker as ElementHandle<HTMLInputElement>).uploadFile(file);

    await restore(fresh, 'wrong passphrase', /does not open this backup\. Nothing was changed/);
    expect(await waitForTitles(fresh, ['Already here'])).toHaveLength(1);
    await restore(fresh, PASS, /^Restored: 2 added, 0 changed, 0 already up to date\.$/);
    expect(await waitForTitles(fresh, ['Already here', 'Water plants', 'Secret needle title'])).toHaveLength(
      3,
    );
    expect(await isChecked(await byRole(fresh, 'Complete Water plants', 'checkbox'))).toBe(true);
  });
});
