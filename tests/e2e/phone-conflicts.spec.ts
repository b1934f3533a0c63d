/**
 * Conflicts and the trash on the phone (issue 14): the phone is a device of the circle like any
 * other, so it shows a conflict it took part in and can resolve it, and it has its own Recently
 * deleted. The phone (Pixel 7 emulation, the app served by the real relay) and a Chrome profile
 * edit one todo's title while the phone is offline; when it is back, both show the conflict; "Keep
 * this one" on the phone makes the phone's title current on both and clears the conflict on both.
 */
import type { Page } from '@playwright/test';
import { addTodo, editTitle, todoItem } from './fixtures';
import { expect, openPhone, setRelay, test, waitForOfflineShell } from './phone-fixtures';
import { openProfile, showPairingLink, type Profile } from './sync-ui';

test('a title edited on the phone offline and on the desk: both show the conflict; Keep this one on the phone wins on both', async ({
  phone,
  relay,
}) => {
  test.setTimeout(240_000);
  let a: Profile | null = null;
  try {
    a = await openProfile();
    await setRelay(a.panel, relay.url);
    const mobile = await openPhone(phone, relay.url);
    await waitForOfflineShell(mobile);
    await mobile.goto(await showPairingLink(a.panel));
    await expect(mobile.getByRole('status').filter({ hasText: `Synced with ${a.label}.` })).toBeVisible({
      timeout: 30_000,
    });
    await a.panel.getByRole('button', { name: 'Close' }).click();
    await addTodo(a.panel, 'Book the dentist');
    await expect(todoItem(mobile, 'Book the dentist')).toBeVisible({ timeout: 30_000 });

    // Apart: the phone offline edits first, the desk later (so the desk's title shows on both).
    await phone.setOffline(true);
    await mobile.reload();
    await expect(todoItem(mobile, 'Book the dentist')).toBeVisible();
    await editTitle(mobile, 'Book the dentist', 'Book the dentist for Tuesday');
    await editTitle(a.panel, 'Book the dentist', 'Book the dentist for Friday');
    await phone.setOffline(false);

    const button = (p: Page) => p.getByRole('button', { name: /^Conflicts/ });
    await expect(todoItem(mobile, 'Book the dentist for Friday')).toBeVisible({ timeout: 90_000 });
    await expect(todoItem(mobile, 'Book the dentist for Friday')).toContainText('edited on two devices');
    await expect(button(mobile)).toHaveAccessibleName('Conflicts (1)');
    await expect(button(a.panel)).toHaveAccessibleName('Conflicts (1)', { timeout: 30_000 });

    await button(mobile).click();
    const item = mobile
      .getByRole('list', { name: 'Conflicts' })
      .getByRole('listitem', { name: 'Book the dentist for Friday' });
    await expect(item.getByRole('group', { name: 'Shown now' })).toContainText(`set on ${a.label}`);
    const aside = item.getByRole('group', { name: 'Set aside' });
    await expect(aside).toContainText('Book the dentist for Tuesday');
    await expect(aside).toContainText('set here');
    await aside.getByRole('button', { name: 'Keep this one' }).click();
    await expect(mobile.getByText(/^No conflicts\./)).toBeFocused();
    await expect(button(mobile)).toHaveAccessibleName('Conflicts');

    await expect(todoItem(a.panel, 'Book the dentist for Tuesday')).toBeVisible({ timeout: 60_000 });
    await expect(button(a.panel)).toHaveCount(0, { timeout: 60_000 });
    await mobile.getByRole('button', { name: 'My list' }).click();
    await expect(todoItem(mobile, 'Book the dentist for Tuesday')).not.toContainText('edited on two devices');
  } finally {
    await a?.close();
  }
});

test('the phone has its own Recently deleted: a deleted todo comes back with Restore', async ({
  phone,
  relay,
}) => {
  const mobile = await openPhone(phone, relay.url);
  await addTodo(mobile, 'Renew library card');
  await addTodo(mobile, 'Water the fern');
  await todoItem(mobile, 'Renew library card')
    .getByRole('button', { name: 'Delete Renew library card' })
    .tap();
  await expect(todoItem(mobile, 'Renew library card')).toHaveCount(0);

  await mobile.getByRole('button', { name: 'Recently deleted' }).tap();
  const deleted = mobile.getByRole('list', { name: 'Deleted todos' });
  await expect(deleted.getByRole('listitem')).toHaveCount(1);
  await deleted.getByRole('button', { name: 'Restore Renew library card' }).tap();
  await expect(mobile.getByText('Nothing deleted.')).toBeVisible();
  await mobile.getByRole('button', { name: 'My list' }).tap();
  await expect(todoItem(mobile, 'Renew library card')).toBeVisible();
  await expect(todoItem(mobile, 'Water the fern')).toBeVisible();
});
