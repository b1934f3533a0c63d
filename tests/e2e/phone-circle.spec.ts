/**
 * The phone joins a circle transitively: Chrome profiles A and B are paired; the phone (Pixel 7
 * emulation, the app served by the real relay) pairs with A only; A closes; the phone and B still
 * sync each other's new todos live, with nobody to introduce them.
 */
import type { Page } from '@playwright/test';
import { addTodo, todoItem } from './fixtures';
import { drawer, expect, openPhone, setRelay, test } from './phone-fixtures';
import { joinByLink, openProfile, type Profile } from './sync-ui';

async function showLink(panel: Page): Promise<string> {
  await panel.getByRole('button', { name: 'Pair a device' }).click();
  return (await drawer(panel).getByText(/\/p#/).textContent())?.trim() ?? '';
}

const syncedWith = (page: Page, label: string) =>
  expect(page.getByRole('status').filter({ hasText: `Synced with ${label}.` })).toBeVisible({
    timeout: 30_000,
  });

test('a phone paired with one desk syncs live with the other desk after the first one closes', async ({
  phone,
  relay,
}) => {
  test.setTimeout(240_000);
  let a: Profile | null = null;
  let b: Profile | null = null;
  try {
    [a, b] = await Promise.all([openProfile(), openProfile()]);
    for (const p of [a, b]) await setRelay(p.panel, relay.url);
    await joinByLink(b.panel, await showLink(a.panel));
    await syncedWith(a.panel, b.label);
    await syncedWith(b.panel, a.label);
    await a.panel.getByRole('button', { name: 'Close' }).click();

    const mobile = await openPhone(phone, relay.url);
    await mobile.goto(await showLink(a.panel));
    await syncedWith(mobile, a.label);

    // The phone's circle: three devices; then A goes away.
    await mobile.getByRole('button', { name: 'Devices' }).click();
    const devices = mobile.getByRole('list', { name: 'Devices in your circle' });
    await expect(devices.getByRole('listitem')).toHaveCount(3);
    await expect(devices.getByRole('listitem').filter({ hasText: b.label })).toContainText('Online now', {
      timeout: 30_000,
    });
    const aLabel = a.label;
    await a.close();
    a = null;
    await expect(devices.getByRole('listitem').filter({ hasText: b.label })).toContainText('Online now');
    await mobile.getByRole('button', { name: 'My list' }).click();

    await addTodo(mobile, 'Phone: buy stamps');
    await expect(todoItem(b.panel, 'Phone: buy stamps')).toBeVisible({ timeout: 30_000 });
    await addTodo(b.panel, 'Desk B: post the letter');
    await expect(todoItem(mobile, 'Desk B: post the letter')).toBeVisible({ timeout: 30_000 });
    // What A has not seen yet is counted, for when it is back.
    await expect(mobile.getByRole('status', { name: 'Sync status' })).toHaveText(
      `Not synced: 2 changes not yet on ${aLabel}`,
    );
  } finally {
    await Promise.all([a?.close(), b?.close()]);
  }
});
