/**
 * The phone companion end to end: the extension (profile A) shows a QR in its side panel; the test
 * reads it twice — jsqr on the pixels in the page, and Debian's zbarimg on a screenshot at the size
 * shown, standing in for a stock phone camera — and opens the link in an emulated phone.
 */
import type { Page } from '@playwright/test';
import { addTodo, launchWithExtension, newProfileDir, openSidePanel, todoItem, todoList } from './fixtures';
import {
  decodeInPage,
  expect,
  openPhone,
  qrImage,
  setRelay,
  test,
  waitForOfflineShell,
} from './phone-fixtures';
import { decodeWithZbar } from './sync-ui';
import { rmSync } from 'node:fs';

/** zbarimg on a PNG screenshot of the QR element at the size it is shown. */
async function decodeWithZbarAsShown(panel: Page): Promise<{ codes: string[]; shown: number }> {
  const png = await qrImage(panel).screenshot();
  const box = await qrImage(panel).boundingBox();
  return { codes: decodeWithZbar(png), shown: box?.width ?? 0 };
}

test('a phone scans the side panel’s QR, ends with its list, and sends its own todos back', async ({
  phone,
  relay,
}) => {
  const dir = newProfileDir();
  const extension = await launchWithExtension(dir);
  try {
    const panel = await openSidePanel(extension);
    await setRelay(panel, relay.url);
    const desk = ['Desk: file taxes', 'Desk: water plants', 'Desk: call the bank'];
    for (const title of desk) await addTodo(panel, title);

    const mobile = await openPhone(phone, relay.url);
    await addTodo(mobile, 'Phone: buy stamps');
    await addTodo(mobile, 'Phone: pick up parcel');
    await waitForOfflineShell(mobile);

    await panel.getByRole('button', { name: 'Pair a device' }).click();
    await expect(qrImage(panel)).toBeVisible();
    const fromPage = await decodeInPage(qrImage(panel));
    const fromZbar = await decodeWithZbarAsShown(panel);
    expect(fromZbar.codes).toEqual([fromPage]);
    expect(fromZbar.shown).toBeLessThanOrEqual(320);
    expect(fromPage.startsWith(`${relay.url}/p#`)).toBe(true);

    await mobile.goto(fromPage);
    // The key in the fragment does not stay in the address bar.
    expect(mobile.url()).toBe(`${relay.url}/`);
    await expect(
      mobile.getByRole('status').filter({ hasText: /^\s*Synced with Chrome on Linux/ }),
    ).toBeVisible({
      timeout: 20_000,
    });
    await expect(todoList(mobile).getByRole('listitem')).toHaveCount(5);
    for (const title of desk) await expect(todoItem(mobile, title)).toBeVisible();

    // Same session, the other way: the phone's own todos reached the extension.
    await expect(todoList(panel).getByRole('listitem')).toHaveCount(5);
    await expect(todoItem(panel, 'Phone: buy stamps')).toBeVisible();
    await expect(todoItem(panel, 'Phone: pick up parcel')).toBeVisible();

    await phone.setOffline(true);
    await mobile.reload();
    await expect(todoList(mobile).getByRole('listitem')).toHaveCount(5);
    const plants = todoItem(mobile, 'Desk: water plants');
    await plants.getByRole('checkbox', { name: 'Complete Desk: water plants' }).tap();
    await expect(plants.getByRole('checkbox')).toBeChecked();
    await todoItem(mobile, 'Desk: call the bank')
      .getByRole('button', { name: 'Delete Desk: call the bank' })
      .tap();
    // Undo takes focus once the delete is saved; typing before that would send Enter to Undo.
    await expect(mobile.getByRole('button', { name: 'Undo' })).toBeFocused();
    await addTodo(mobile, 'Phone: offline note');
    await expect(todoList(mobile).getByRole('listitem')).toHaveCount(5);
    await expect(todoItem(mobile, 'Phone: offline note')).toBeVisible();

    // Reopening the used link says so instead of waiting for a host that moved on.
    await phone.setOffline(false);
    await mobile.goto(fromPage);
    await expect(mobile.getByRole('heading', { name: 'This pairing link was already used' })).toBeVisible();
  } finally {
    await extension.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
