/**
 * A phone in a session with several devices: the side panel shows a link for two guests, another
 * Chrome profile joins by pasting it and the phone opens it. The phone lists both other devices as
 * synced, as the extension does, and all three end with the same list.
 */
import { rmSync } from 'node:fs';
import { addTodo, expectTitles, launchWithExtension, newProfileDir, openSidePanel } from './fixtures';
import { drawer, expect, openPhone, setRelay, test } from './phone-fixtures';
import { deskLabel, expectSyncedWith, joinByLink } from './sync-ui';

test('a phone joining a link for two devices lists both others as synced, and all three converge', async ({
  phone,
  relay,
}) => {
  test.setTimeout(120_000);
  const dirs = [newProfileDir(), newProfileDir()];
  const [a, b] = await Promise.all(dirs.map((d) => launchWithExtension(d)));
  try {
    const [panelA, panelB] = await Promise.all([openSidePanel(a!), openSidePanel(b!)]);
    for (const panel of [panelA, panelB]) await setRelay(panel, relay.url);
    await addTodo(panelA, 'Desk A: file taxes');
    await addTodo(panelB, 'Desk B: water plants');
    const mobile = await openPhone(phone, relay.url);
    await addTodo(mobile, 'Phone: buy stamps');

    await panelA.getByRole('button', { name: 'Pair a device' }).click();
    await panelA.getByRole('combobox', { name: 'Devices that can join' }).selectOption('2');
    await expect(drawer(panelA).getByText('0 of 2 devices joined.')).toBeVisible();
    const link = (await drawer(panelA).getByText(/\/p#/).textContent())?.trim() ?? '';
    expect(link.startsWith(`${relay.url}/p#`)).toBe(true);

    await joinByLink(panelB, link);
    await expect(drawer(panelA).getByText('1 of 2 devices joined.')).toBeVisible({ timeout: 20_000 });
    await mobile.goto(link);

    await expectSyncedWith(mobile, [await deskLabel(panelA), await deskLabel(panelB)]);
    const all = ['Desk A: file taxes', 'Desk B: water plants', 'Phone: buy stamps'];
    for (const page of [panelA, panelB, mobile]) await expectTitles(page, all, 20_000);
  } finally {
    await Promise.all([a?.close(), b?.close()]);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});
