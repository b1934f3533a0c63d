/**
 * Circles in real Chromium (issue 10), the harder cases: the relay stops while both members edit (the
 * same todo too) and comes back; two circles of two joined by one pairing; manual sync ("Sync
 * automatically" off). Built extension, real relay (wrangler dev) on loopback, SQLite on OPFS.
 */
import type { Page } from '@playwright/test';
import { startRelay, type RelayProcess } from '../../scripts/relay-process.mjs';
import { addTodo, editTitle, expect, expectTitles, test, todoItem } from './fixtures';
import { openProfile, setRelay, pairOnce } from './sync-ui';

const status = (panel: Page) => panel.getByRole('status', { name: 'Sync status' });

test('the relay stops while both members edit, the same todo too; back, both converge with no click', async () => {
  test.setTimeout(300_000);
  let relay: RelayProcess = await startRelay();
  const port = relay.port;
  const [a, b] = await Promise.all([openProfile(), openProfile()]);
  try {
    for (const p of [a, b]) await setRelay(p.panel, relay.url);
    await pairOnce(a, b);
    await addTodo(a.panel, 'Shared');
    await expectTitles(b.panel, ['Shared']);

    await relay.stop();
    await expect(status(a.panel)).toHaveText('Offline — changes will sync later', { timeout: 30_000 });
    await addTodo(a.panel, 'A while the relay was down');
    await editTitle(a.panel, 'Shared', 'Shared, edited on A');
    await addTodo(b.panel, 'B while the relay was down');
    await todoItem(b.panel, 'Shared').getByRole('checkbox', { name: 'Complete Shared' }).check();
    // B's title edit is the later one: last writer wins on that field, the completion merges beside it.
    await editTitle(b.panel, 'Shared', 'Shared, edited on B');

    relay = await startRelay({ port });
    const expected = ['B while the relay was down', 'A while the relay was down', 'Shared, edited on B'];
    for (const p of [a, b]) {
      await expect(todoItem(p.panel, 'Shared, edited on B')).toBeVisible({ timeout: 90_000 });
      for (const t of expected) await expect(todoItem(p.panel, t)).toBeVisible();
      await expect(todoItem(p.panel, 'Shared, edited on A')).toHaveCount(0);
      await expect(
        todoItem(p.panel, 'Shared, edited on B').getByRole('checkbox', {
          name: 'Complete Shared, edited on B',
        }),
      ).toBeChecked();
      await expect(status(p.panel)).toHaveText('Synced', { timeout: 30_000 });
    }
  } finally {
    await Promise.all([a.close(), b.close()]).catch(() => {});
    await relay.stop();
  }
});

test('two circles of two, joined by one pairing: all four converge', async () => {
  test.setTimeout(360_000);
  const relay = await startRelay();
  const profiles = await Promise.all([openProfile(), openProfile(), openProfile(), openProfile()]);
  const [a, b, c, d] = profiles;
  try {
    for (const p of profiles) await setRelay(p.panel, relay.url);
    await pairOnce(a!, b!);
    await pairOnce(c!, d!);
    await addTodo(b!.panel, 'From the first circle');
    await addTodo(d!.panel, 'From the second circle');
    await expectTitles(a!.panel, ['From the first circle']);
    await expectTitles(c!.panel, ['From the second circle']);

    // C (of the second circle) joins A: D follows C into A's circle.
    await pairOnce(a!, c!);
    const both = ['From the second circle', 'From the first circle'];
    for (const p of profiles) {
      await expect(todoItem(p.panel, both[0]!)).toBeVisible({ timeout: 60_000 });
      await expect(todoItem(p.panel, both[1]!)).toBeVisible({ timeout: 60_000 });
    }
    await d!.panel.getByRole('button', { name: 'Devices' }).click();
    await expect(
      d!.panel.getByRole('list', { name: 'Devices in your circle' }).getByRole('listitem'),
    ).toHaveCount(4, { timeout: 60_000 });
    await addTodo(d!.panel, 'D to everyone');
    for (const p of [a!, b!, c!])
      await expect(todoItem(p.panel, 'D to everyone')).toBeVisible({ timeout: 60_000 });
  } finally {
    await Promise.all(profiles.map((p) => p.close())).catch(() => {});
    await relay.stop();
  }
});

test('with "Sync automatically" off, changes wait for "Sync now"', async () => {
  test.setTimeout(240_000);
  const relay = await startRelay();
  const [a, b] = await Promise.all([openProfile(), openProfile()]);
  try {
    for (const p of [a, b]) await setRelay(p.panel, relay.url);
    await pairOnce(a, b);
    await a.panel.getByRole('button', { name: 'Devices' }).click();
    await a.panel.getByRole('checkbox', { name: 'Sync automatically' }).uncheck();
    await expect(status(a.panel)).toHaveText(/^Not synced: sync is manual/);

    await addTodo(a.panel, 'Waits for Sync now');
    await expect(status(a.panel)).toHaveText(
      `Not synced: 1 change not yet on ${b.label} — sync is manual, use “Sync now” in Devices`,
    );
    await addTodo(b.panel, 'B meanwhile');
    await expect(todoItem(b.panel, 'Waits for Sync now')).toHaveCount(0);
    await expect(todoItem(a.panel, 'B meanwhile')).toHaveCount(0);

    await a.panel.getByRole('button', { name: 'Sync now', exact: true }).click();
    await expect(todoItem(b.panel, 'Waits for Sync now')).toBeVisible({ timeout: 30_000 });
    await expect(todoItem(a.panel, 'B meanwhile')).toBeVisible({ timeout: 30_000 });
    // Up to date: the socket closes again and the line says sync is manual.
    await expect(status(a.panel)).toHaveText(/^Not synced: sync is manual/, { timeout: 30_000 });
    await a.panel.getByRole('checkbox', { name: 'Sync automatically' }).check();
    await addTodo(b.panel, 'Live again');
    await expect(todoItem(a.panel, 'Live again')).toBeVisible({ timeout: 30_000 });
  } finally {
    await Promise.all([a.close(), b.close()]).catch(() => {});
    await relay.stop();
  }
});
