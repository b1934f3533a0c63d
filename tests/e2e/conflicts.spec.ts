/**
 * Conflicts in real Chromium (issue 14): two profiles in a circle edit one todo while the relay is
 * down; when it is back, both show the conflict with both values, and "Keep this one" on one device
 * makes that value current on both and clears the conflict on both. Deletion vs edit the same way.
 * Built extension, real relay (wrangler dev) on loopback, SQLite on OPFS.
 */
import type { Page } from '@playwright/test';
import { startRelay, type RelayProcess } from '../../scripts/relay-process.mjs';
import { addTodo, editTitle, expect, expectTitles, test, todoItem } from './fixtures';
import { openProfile, setRelay, pairOnce, type Profile } from './sync-ui';

const status = (panel: Page) => panel.getByRole('status', { name: 'Sync status' });
const conflictsButton = (panel: Page) => panel.getByRole('button', { name: /^Conflicts/ });

/** Two paired profiles sharing one todo, the relay stopped and both offline. */
async function apart(
  title: string,
): Promise<{ a: Profile; b: Profile; restart: () => Promise<void>; stop: () => Promise<void> }> {
  let relay: RelayProcess = await startRelay();
  const port = relay.port;
  const [a, b] = await Promise.all([openProfile(), openProfile()]);
  for (const p of [a, b]) await setRelay(p.panel, relay.url);
  await pairOnce(a, b);
  await addTodo(a.panel, title);
  await expectTitles(b.panel, [title]);
  await relay.stop();
  for (const p of [a, b])
    await expect(status(p.panel)).toHaveText('Offline — changes will sync later', { timeout: 30_000 });
  return {
    a,
    b,
    restart: async () => {
      relay = await startRelay({ port });
    },
    stop: async () => {
      await Promise.all([a.close(), b.close()]).catch(() => {});
      await relay.stop();
    },
  };
}

/** Opens the Conflicts view and returns the one conflict's list item. */
async function theConflict(panel: Page, todo: string) {
  await expect(conflictsButton(panel)).toHaveAccessibleName('Conflicts (1)', { timeout: 90_000 });
  await conflictsButton(panel).click();
  const list = panel.getByRole('list', { name: 'Conflicts' });
  await expect(list.getByRole('listitem')).toHaveCount(1);
  return list.getByRole('listitem', { name: todo });
}

test('both edit a title while apart: both see the conflict; Keep this one on B makes B’s value current on both', async () => {
  test.setTimeout(300_000);
  const { a, b, restart, stop } = await apart('Shared');
  try {
    // B first, A later: last-writer-wins shows A's title and sets B's aside.
    await editTitle(b.panel, 'Shared', 'Shared, edited on B');
    await editTitle(a.panel, 'Shared', 'Shared, edited on A');
    await restart();

    for (const p of [a, b]) {
      await expect(todoItem(p.panel, 'Shared, edited on A')).toBeVisible({ timeout: 90_000 });
      await expect(todoItem(p.panel, 'Shared, edited on A')).toContainText('edited on two devices', {
        timeout: 30_000,
      });
      const item = await theConflict(p.panel, 'Shared, edited on A');
      await expect(item.getByRole('group', { name: 'Shown now' })).toContainText('Shared, edited on A');
      await expect(item.getByRole('group', { name: 'Set aside' })).toContainText('Shared, edited on B');
    }
    await expect((await theConflictItem(b.panel)).getByRole('group', { name: 'Set aside' })).toContainText(
      'set here',
    );
    await expect((await theConflictItem(a.panel)).getByRole('group', { name: 'Set aside' })).toContainText(
      `set on ${b.label}`,
    );

    await (
      await theConflictItem(b.panel)
    )
      .getByRole('group', { name: 'Set aside' })
      .getByRole('button', { name: 'Keep this one' })
      .click();
    for (const p of [a, b]) {
      await expect(todoItem(p.panel, 'Shared, edited on B')).toBeVisible({ timeout: 60_000 });
      await expect(todoItem(p.panel, 'Shared, edited on A')).toHaveCount(0);
      await expect(conflictsButton(p.panel)).toHaveCount(0, { timeout: 60_000 });
      await expect(todoItem(p.panel, 'Shared, edited on B')).not.toContainText('edited on two devices');
    }
    // The view stays open, now empty, with the focus on what it says (not lost to the body), and
    // stays reachable under "More actions" with no count.
    await expect(b.panel.getByText(/^No conflicts\./)).toBeFocused();
    await b.panel.keyboard.press('Escape');
    await expect(b.panel.getByRole('heading', { name: 'Conflicts' })).toHaveCount(0);
    await b.panel.getByRole('button', { name: 'More actions' }).click();
    await b.panel.getByRole('button', { name: 'Conflicts', exact: true }).click();
    await expect(b.panel.getByRole('heading', { name: 'Conflicts' })).toBeFocused();
    await expect(b.panel.getByText(/^No conflicts\./)).toBeVisible();
  } finally {
    await stop();
  }
});

test('deleted on one device, edited on the other: both see it; Keep this one on the edit brings the todo back on both', async () => {
  test.setTimeout(300_000);
  const { a, b, restart, stop } = await apart('Call Sam');
  try {
    await todoItem(a.panel, 'Call Sam').getByRole('button', { name: 'Delete Call Sam' }).click();
    await expect(todoItem(a.panel, 'Call Sam')).toHaveCount(0);
    await editTitle(b.panel, 'Call Sam', 'Call Sam at 5');
    await restart();

    for (const p of [a, b]) {
      // The deletion is what the todo shows: it is gone from the list, and the conflict names it.
      await expect(todoItem(p.panel, 'Call Sam at 5')).toHaveCount(0, { timeout: 90_000 });
      const item = await theConflict(p.panel, 'Call Sam at 5');
      await expect(item.getByRole('group', { name: 'Shown now' })).toContainText('Deleted');
      await expect(item.getByRole('group', { name: 'Set aside' })).toContainText('Call Sam at 5');
    }
    await expect(await theConflictItem(b.panel)).toContainText(`Deleted on ${a.label}, edited here`);
    await expect(await theConflictItem(a.panel)).toContainText(`Deleted here, edited on ${b.label}`);

    await (await theConflictItem(b.panel)).getByRole('button', { name: 'Keep this one' }).click();
    for (const p of [a, b]) {
      await expect(todoItem(p.panel, 'Call Sam at 5')).toBeVisible({ timeout: 60_000 });
      await expect(conflictsButton(p.panel)).toHaveCount(0, { timeout: 60_000 });
    }
  } finally {
    await stop();
  }
});

/** The open Conflicts view's one item. */
async function theConflictItem(panel: Page) {
  const item = panel.getByRole('list', { name: 'Conflicts' }).getByRole('listitem');
  await expect(item).toHaveCount(1);
  return item;
}
