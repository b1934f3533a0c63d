/**
 * Trash and History across a circle (issue 14): two Chromium profiles paired through the real relay
 * on loopback. A restore from "Recently deleted" and a restore from History are ordinary writes that
 * reach the other device; History names the device that set a value.
 */
import type { Page } from '@playwright/test';
import { startRelay, type RelayProcess } from '../../scripts/relay-process.mjs';
import { addTodo, clickMoreAction, expect, expectTitles, test, todoItem } from './fixtures';
import { openProfile, setRelay, pairOnce } from './sync-ui';

let relay: RelayProcess;
test.beforeAll(async () => {
  test.setTimeout(90_000);
  relay = await startRelay();
});
test.afterAll(async () => {
  await relay?.stop();
});

const editForm = (panel: Page, title: string) => panel.getByRole('form', { name: `Edit ${title}` });

test('a restore from the trash or from History syncs; History names the other device', async () => {
  test.setTimeout(240_000);
  const [a, b] = await Promise.all([openProfile(), openProfile()]);
  try {
    for (const p of [a, b]) await setRelay(p.panel, relay.url);
    await pairOnce(a, b);

    await addTodo(a.panel, 'Call plumber');
    await addTodo(a.panel, 'Old errand');
    await expectTitles(b.panel, ['Call plumber', 'Old errand'], 30_000);

    // Deleted on A; restored from B's Recently deleted; back on A.
    await todoItem(a.panel, 'Old errand').getByRole('button', { name: 'Delete Old errand' }).click();
    await expectTitles(b.panel, ['Call plumber'], 30_000);
    await clickMoreAction(b.panel, 'Recently deleted');
    await b.panel
      .getByRole('list', { name: 'Deleted todos' })
      .getByRole('button', { name: 'Restore Old errand' })
      .click();
    await expectTitles(a.panel, ['Call plumber', 'Old errand'], 30_000);

    // Edited on B; A's History shows B's value under B's name, and A restores its own.
    await todoItem(b.panel, 'Call plumber').getByRole('button', { name: 'Edit Call plumber' }).click();
    await b.panel.getByRole('textbox', { name: 'Title' }).fill('Call plumber at 9');
    await b.panel.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(todoItem(a.panel, 'Call plumber at 9')).toBeVisible({ timeout: 30_000 });
    await todoItem(a.panel, 'Call plumber at 9')
      .getByRole('button', { name: 'Edit Call plumber at 9' })
      .click();
    await editForm(a.panel, 'Call plumber at 9').getByRole('button', { name: 'History' }).click();
    const titles = a.panel.getByRole('list', { name: 'Title history' });
    await expect(titles.getByRole('listitem').first()).toContainText('Call plumber at 9');
    await expect(titles.getByRole('listitem').first()).toContainText(`set on ${b.label}`);
    await expect(titles.getByRole('listitem').nth(1)).toContainText('set on this device');
    await titles.getByRole('button', { name: 'Restore title Call plumber' }).click();
    await expect(todoItem(b.panel, 'Call plumber')).toBeVisible({ timeout: 30_000 });
    await expect(todoItem(b.panel, 'Call plumber at 9')).toHaveCount(0);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});
