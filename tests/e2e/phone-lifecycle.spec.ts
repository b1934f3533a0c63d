/**
 * The phone app's circle socket follows the page's visibility (issue 10): hidden, it sends what waits
 * and closes (a phone freezes hidden pages anyway); shown, it connects and catches up. Chrome profile
 * and a phone (Pixel 7 emulation, the app served by the real relay). Visibility is switched the way the
 * browser reports it: `document.visibilityState` and a `visibilitychange` event.
 */
import type { Page } from '@playwright/test';
import { addTodo, todoItem } from './fixtures';
import { expect, openPhone, setRelay, test } from './phone-fixtures';
import { openProfile, showPairingLink, type Profile } from './sync-ui';

async function setVisibility(page: Page, state: 'visible' | 'hidden') {
  await page.evaluate((s) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => s });
    document.dispatchEvent(new Event('visibilitychange'));
  }, state);
}

test('hidden, the phone sends what waits and leaves the room; shown, it catches up', async ({
  phone,
  relay,
}) => {
  test.setTimeout(240_000);
  let a: Profile | null = null;
  try {
    a = await openProfile();
    await setRelay(a.panel, relay.url);
    const link = await showPairingLink(a.panel);
    const mobile = await openPhone(phone, relay.url);
    await mobile.goto(link);
    await expect(mobile.getByRole('status').filter({ hasText: `Synced with ${a.label}.` })).toBeVisible({
      timeout: 30_000,
    });
    await a.panel.getByRole('button', { name: 'Close' }).click();
    await a.panel.getByRole('button', { name: 'Devices' }).click();
    const phoneRow = a.panel
      .getByRole('list', { name: 'Devices in your circle' })
      .getByRole('listitem')
      .filter({ hasText: /on Android/ });
    await expect(phoneRow).toContainText('Online now', { timeout: 30_000 });

    // Typed, then the phone is locked at once: the todo still goes out, then the phone leaves.
    await addTodo(mobile, 'Typed before locking');
    await setVisibility(mobile, 'hidden');
    await expect(todoItem(a.panel, 'Typed before locking')).toBeVisible({ timeout: 30_000 });
    await expect(phoneRow).toContainText('Offline', { timeout: 30_000 });

    await addTodo(a.panel, 'While the phone was locked');
    await expect(todoItem(mobile, 'While the phone was locked')).toHaveCount(0);
    await setVisibility(mobile, 'visible');
    await expect(todoItem(mobile, 'While the phone was locked')).toBeVisible({ timeout: 30_000 });
    await expect(phoneRow).toContainText('Online now');
  } finally {
    await a?.close();
  }
});
