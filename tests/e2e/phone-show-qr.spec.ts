/**
 * The phone's "Show my QR" shows a QR only once the relay has answered for the session: offline, it
 * says it is connecting, then that the relay cannot be reached, and never shows anything to scan.
 */
import { addTodo, todoItem } from './fixtures';
import { decodeInPage, expect, openPhone, test, waitForOfflineShell } from './phone-fixtures';

test('"Show my QR" shows no QR while offline, says the relay cannot be reached, and shows one once online', async ({
  phone,
  relay,
}) => {
  const mobile = await openPhone(phone, relay.url);
  // The list works (its database is open) and the app is cached, as on a phone that used it before.
  await addTodo(mobile, 'Phone: before going offline');
  await waitForOfflineShell(mobile);
  await phone.setOffline(true);
  await mobile.getByRole('button', { name: 'Show my QR' }).tap();

  const qr = mobile.getByRole('img', { name: /QR/ });
  const connecting = mobile.getByRole('status').filter({ hasText: 'Connecting to the sync relay…' });
  const nothingToScan = async () => {
    await expect(qr).toHaveCount(0);
    await expect(mobile.getByText(/\/p#|\/pair#/)).toHaveCount(0);
    await expect(mobile.getByRole('button', { name: 'Copy link' })).toHaveCount(0);
  };
  await expect(connecting).toBeVisible();
  await nothingToScan();
  await expect(mobile.getByRole('alert').filter({ hasText: /Could not reach the sync relay/ })).toBeVisible({
    timeout: 20_000,
  });
  await nothingToScan();

  await phone.setOffline(false);
  await mobile.getByRole('button', { name: 'Try again' }).tap();
  await expect(qr).toBeVisible();
  await expect(connecting).toHaveCount(0);
  const link = await decodeInPage(qr);
  expect(link.startsWith(`${relay.url}/p#`)).toBe(true);
  await expect(mobile.getByText(link, { exact: true })).toBeVisible();
  await mobile.getByRole('button', { name: 'My list' }).tap();
  await expect(todoItem(mobile, 'Phone: before going offline')).toBeVisible();
});
