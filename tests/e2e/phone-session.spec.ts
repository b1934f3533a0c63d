/**
 * A phone in a session with several devices: the side panel shows a link for two guests, another
 * Chrome profile joins by pasting it and the phone opens it. The phone lists both other devices as
 * synced, as the extension does, and all three end with the same list.
 */
import type { Page } from '@playwright/test';
import { rmSync } from 'node:fs';
import {
  addTodo,
  launchWithExtension,
  newProfileDir,
  openSidePanel,
  sendRequest,
  todoItem,
  todoList,
} from './fixtures';
import { drawer, expect, openPhone, setRelay, test } from './phone-fixtures';

async function deskLabel(panel: Page): Promise<string> {
  const status = (await sendRequest(panel, { kind: 'db.status' })) as { data: { deviceId: string } };
  return `Chrome on Linux · ${status.data.deviceId.slice(0, 4)}`;
}

async function expectList(page: Page, titles: string[]) {
  for (const t of titles) await expect(todoItem(page, t)).toBeVisible({ timeout: 20_000 });
  await expect(todoList(page).getByRole('listitem')).toHaveCount(titles.length);
}

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
    const link =
      (
        await drawer(panelA)
          .getByText(/\/pair#/)
          .textContent()
      )?.trim() ?? '';
    expect(link.startsWith(`${relay.url}/pair#`)).toBe(true);

    await panelB.getByRole('button', { name: 'Join a device' }).click();
    await panelB.getByRole('textbox', { name: 'Pairing link' }).fill(link);
    await panelB.getByRole('button', { name: 'Join', exact: true }).click();
    await expect(drawer(panelA).getByText('1 of 2 devices joined.')).toBeVisible({ timeout: 20_000 });
    await mobile.goto(link);

    const devices = mobile.getByRole('list', { name: 'Devices in this session' });
    for (const label of [await deskLabel(panelA), await deskLabel(panelB)])
      await expect(devices.getByRole('listitem').filter({ hasText: `${label}: synced` })).toHaveCount(1, {
        timeout: 30_000,
      });
    await expect(devices.getByRole('listitem')).toHaveCount(2);
    const all = ['Desk A: file taxes', 'Desk B: water plants', 'Phone: buy stamps'];
    for (const page of [panelA, panelB, mobile]) await expectList(page, all);
  } finally {
    await Promise.all([a?.close(), b?.close()]);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});
