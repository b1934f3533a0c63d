/**
 * Removal with the phone app (issue 11): the side panel removes the phone, which is told so and can
 * pair again; then the phone removes a desk, which is told so, while the phone and the other desk
 * carry on. Chrome profiles and a phone (Pixel 7 emulation, the app served by the real relay).
 */
import type { Page } from '@playwright/test';
import { addTodo, todoItem } from './fixtures';
import { expect, openPhone, setRelay, test } from './phone-fixtures';
import { joinByLink, openProfile, showPairingLink as showLink, type Profile } from './sync-ui';

const syncedWith = (page: Page, label: string) =>
  expect(page.getByRole('status').filter({ hasText: `Synced with ${label}.` })).toBeVisible({
    timeout: 30_000,
  });

const devices = (page: Page) => page.getByRole('list', { name: 'Devices in your circle' });

async function confirmRemove(page: Page, name: RegExp) {
  await page.getByRole('button', { name }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText(
    'It will receive nothing new and can no longer reach your other devices.',
  );
  await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(dialog).toBeHidden();
}

test('the side panel removes the phone; paired again, the phone removes a desk', async ({ phone, relay }) => {
  test.setTimeout(300_000);
  let a: Profile | null = null;
  let b: Profile | null = null;
  try {
    [a, b] = await Promise.all([openProfile(), openProfile()]);
    for (const p of [a, b]) await setRelay(p.panel, relay.url);
    await joinByLink(b.panel, await showLink(a.panel));
    await syncedWith(a.panel, b.label);
    await a.panel.getByRole('button', { name: 'Close' }).click();
    await b.panel.getByRole('button', { name: 'Close' }).click();

    const mobile = await openPhone(phone, relay.url);
    await mobile.goto(await showLink(a.panel));
    await syncedWith(mobile, a.label);
    await a.panel.getByRole('button', { name: 'Close' }).click();

    // A removes the phone from its side panel.
    await a.panel.getByRole('button', { name: 'Devices' }).click();
    await expect(devices(a.panel).getByRole('listitem')).toHaveCount(3);
    await expect(
      devices(a.panel)
        .getByRole('listitem')
        .filter({ hasText: /on Android/ }),
    ).toContainText('Phone ·');
    await confirmRemove(a.panel, /^Remove Chrome on Android/);
    await expect(devices(a.panel).getByRole('listitem')).toHaveCount(2);
    await expect(mobile.getByRole('status', { name: 'Sync status' })).toHaveText(
      new RegExp(`^Not synced: this device was removed from your circle by ${a.label.replace(/[·]/g, '.')}`),
      { timeout: 30_000 },
    );
    await addTodo(a.panel, 'Desk A after the phone left');
    await expect(todoItem(b.panel, 'Desk A after the phone left')).toBeVisible({ timeout: 30_000 });
    await expect(todoItem(mobile, 'Desk A after the phone left')).toHaveCount(0);

    // The phone pairs again with A, then removes B itself.
    await a.panel.getByRole('button', { name: 'Close' }).click();
    await mobile.goto(await showLink(a.panel));
    await syncedWith(mobile, a.label);
    await expect(todoItem(mobile, 'Desk A after the phone left')).toBeVisible({ timeout: 30_000 });
    await mobile.getByRole('button', { name: 'Devices' }).click();
    await expect(devices(mobile).getByRole('listitem')).toHaveCount(3, { timeout: 30_000 });
    await confirmRemove(mobile, new RegExp(`^Remove ${b.label.replace(/[·]/g, '.')}$`));
    await expect(devices(mobile).getByRole('listitem')).toHaveCount(2);
    // B is told on its status line, then in its Devices view.
    await expect(b.panel.getByRole('status', { name: 'Sync status' })).toHaveText(
      /^Not synced: this device was removed from your circle by Chrome on Android/,
      { timeout: 30_000 },
    );
    const removedGroup = b.panel.getByRole('group', { name: 'Removed from your circle' });
    await expect(async () => {
      const devicesButton = b!.panel.getByRole('button', { name: 'Devices', exact: true });
      if ((await devicesButton.getAttribute('aria-expanded')) !== 'true') await devicesButton.click();
      await expect(removedGroup).toContainText(
        'This device was removed from your circle by Chrome on Android',
        {
          timeout: 2_000,
        },
      );
    }).toPass({ timeout: 30_000 });
    await mobile.getByRole('button', { name: 'My list' }).click();
    await addTodo(mobile, 'Phone after B left');
    await expect(todoItem(a.panel, 'Phone after B left')).toBeVisible({ timeout: 30_000 });
    await addTodo(a.panel, 'Desk A, last');
    await expect(todoItem(mobile, 'Desk A, last')).toBeVisible({ timeout: 30_000 });
    for (const t of ['Phone after B left', 'Desk A, last']) await expect(todoItem(b.panel, t)).toHaveCount(0);
  } finally {
    await Promise.all([a?.close(), b?.close()]);
  }
});
