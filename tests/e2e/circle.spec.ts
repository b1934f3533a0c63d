/**
 * Circles in real Chromium: two profiles pair once, then every change travels by itself, live, and
 * again after both browsers restart. Built extension, real relay (wrangler dev) on loopback behind a
 * wiretap, SQLite on OPFS.
 */
import type { Page } from '@playwright/test';
import { startRelay, type RelayProcess } from '../../scripts/relay-process.mjs';
import { addTodo, expect, expectTitles, newProfileDir, test, todoItem } from './fixtures';
import { openProfile, setRelay, pairOnce } from './sync-ui';
import { startWiretap } from './wiretap';

let relay: RelayProcess;

test.beforeAll(async () => {
  test.setTimeout(90_000);
  relay = await startRelay();
});
test.afterAll(async () => {
  await relay?.stop();
});

const status = (panel: Page) => panel.getByRole('status', { name: 'Sync status' });

async function openDevices(panel: Page) {
  await panel.getByRole('button', { name: 'Devices' }).click();
  return panel.getByRole('list', { name: 'Devices in your circle' });
}

test('paired once, two profiles sync every change live and again after both browsers restart', async () => {
  test.setTimeout(240_000);
  const tap = await startWiretap({ host: '127.0.0.1', port: relay.port });
  const dirs = [newProfileDir(), newProfileDir()] as const;
  let [a, b] = await Promise.all([openProfile(dirs[0], true), openProfile(dirs[1], true)]);
  try {
    for (const p of [a, b]) await setRelay(p.panel, tap.url);
    await expect(status(a.panel)).toHaveText(/^Not synced/);
    await addTodo(a.panel, 'Before pairing');
    await pairOnce(a, b);
    await expectTitles(b.panel, ['Before pairing']);

    // The circle: both devices listed, the status says so.
    const list = await openDevices(a.panel);
    await expect(list.getByRole('listitem')).toHaveCount(2);
    await expect(list.getByRole('listitem').filter({ hasText: b.label })).toContainText('Online now');
    await expect(status(a.panel)).toHaveText('Synced');

    // Live, with no click on the other side: add, edit, complete, delete — both ways.
    await addTodo(a.panel, 'Buy oat milk');
    await expectTitles(b.panel, ['Buy oat milk', 'Before pairing']);
    await todoItem(b.panel, 'Buy oat milk').getByRole('button', { name: 'Edit Buy oat milk' }).click();
    await b.panel.getByRole('textbox', { name: 'Title' }).fill('Buy oat milk and bread');
    await b.panel.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(todoItem(a.panel, 'Buy oat milk and bread')).toBeVisible();
    await todoItem(a.panel, 'Before pairing')
      .getByRole('checkbox', { name: 'Complete Before pairing' })
      .check();
    await expect(todoItem(b.panel, 'Before pairing').getByRole('checkbox')).toBeChecked();
    await todoItem(b.panel, 'Before pairing').getByRole('button', { name: 'Delete Before pairing' }).click();
    await expect(todoItem(a.panel, 'Before pairing')).toHaveCount(0);
    await expect(status(b.panel)).toHaveText('Synced');

    // Renamed on B: A's device list shows the new name.
    await b.panel.getByRole('button', { name: 'Devices' }).click();
    await b.panel.getByRole('textbox', { name: 'Device name' }).fill('Work laptop');
    await b.panel.getByRole('button', { name: 'Rename' }).click();
    await expect(list.getByRole('listitem').filter({ hasText: 'Work laptop' })).toBeVisible();

    // B goes offline (its browser closes): A's change waits, counted, and arrives when B is back.
    await b.close();
    await expect(list.getByRole('listitem').filter({ hasText: 'Work laptop' })).toContainText('Offline');
    await addTodo(a.panel, 'While B was away');
    await expect(status(a.panel)).toHaveText('Not synced: 1 change not yet on Work laptop');
    await a.close();

    // Both browsers start again; nobody clicks anything to sync.
    [a, b] = await Promise.all([openProfile(dirs[0], true), openProfile(dirs[1], true)]);
    // A browser start: the worker opens, its socket connects (with partysocket's back-off if the
    // relay still holds the old one), and the members meet.
    await expectTitles(b.panel, ['While B was away', 'Buy oat milk and bread'], 45_000);
    await addTodo(b.panel, 'After the restart');
    await expectTitles(a.panel, ['After the restart', 'While B was away', 'Buy oat milk and bread']);
    await expect(status(a.panel)).toHaveText('Synced');

    // "Join a device" after an earlier join shows the link box again.
    await b.panel.getByRole('button', { name: 'Join a device' }).click();
    await expect(b.panel.getByRole('textbox', { name: 'Pairing link' })).toBeVisible();

    // The circle met in its own room, and the relay carried frames, never a title.
    expect(tap.saw('/parties/circle/')).toBe(true);
    for (const t of ['oat milk', 'While B was away', 'After the restart']) expect(tap.saw(t), t).toBe(false);
    // And it keeps nothing: once both have gone, no room holds a row, the pairing's or the circle's.
    // (While members are online, partyserver keeps the room's name, `__ps_name`, in its storage.)
    await Promise.all([a.close(), b.close()]);
    await expect.poll(async () => (await relay.stored()).rows, { timeout: 15_000 }).toEqual([]);
    const { objects } = await relay.stored();
    for (const room of ['-Circle/', '-Relay/'] as const)
      expect(
        objects.some((o) => o.includes(room)),
        `${room} in ${objects.join()}`,
      ).toBe(true);
  } finally {
    await Promise.all([a.close(), b.close()]).catch(() => {});
    await tap.close();
  }
});
