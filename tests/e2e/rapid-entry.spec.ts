/**
 * Rapid entry (issue 12): keys typed while the previous todo is being saved belong to the next todo.
 * The box used to be cleared when a save confirmed, wiping what had been typed since ("all the
 * plumber"), and an Enter pressed during a save was ignored. Here each save answers in about 200 ms
 * (the `slow` test fault: two write statements at 100 ms), slower than the typing, as a cold or busy
 * disk does; with fast saves the old box lost letters only now and then.
 */
import type { Page } from '@playwright/test';
import { expect, expectTitles, openPopup, openSidePanel, sendRequest, test, todoItem } from './fixtures';

const TITLES = [
  'Buy oat milk',
  'Call the plumber',
  'Renew passport',
  'Water the ferns',
  'Book dentist',
  'Pay rent',
  'Fix bike',
  'Email Sam about the trip',
  'Return library books',
  'Plan the picnic',
];

/** Types every title at 30 ms a key, each followed by Enter, without waiting for any save. */
async function typeAll(page: Page, titles: string[]) {
  await expect(sendRequest(page, { kind: 'dev.fail', fault: 'slow' })).resolves.toMatchObject({ ok: true });
  const box = page.getByRole('textbox', { name: 'New todo' });
  await expect(box).toBeFocused();
  for (const t of titles) {
    await page.keyboard.type(t, { delay: 30 });
    await page.keyboard.press('Enter', { delay: 30 });
  }
  await expect(box).toHaveValue('');
  await expect(box.locator('..')).not.toHaveAttribute('aria-busy', 'true');
  await expect(page.getByRole('list', { name: 'Not saved' })).toHaveCount(0);
}

test('saves ten todos typed at 30 ms a key in the popup, each exactly as typed', async ({ context }) => {
  const popup = await openPopup(context);
  await typeAll(popup, TITLES);
  // The popup lists the last five, newest first.
  await expect(popup.getByRole('list', { name: 'Recent todos' }).getByRole('listitem')).toHaveText(
    TITLES.slice(-5).reverse(),
  );
  await expectTitles(await openSidePanel(context), TITLES);
});

test('saves ten todos typed at 30 ms a key in the side panel, each exactly as typed', async ({ context }) => {
  const panel = await openSidePanel(context);
  await expect(panel.getByText('No todos yet')).toBeVisible();
  await typeAll(panel, TITLES);
  await expectTitles(panel, TITLES);
  // Saved in the order typed: the default sort is newest first.
  await expect(panel.getByRole('list', { name: 'Todos' }).getByRole('listitem').first()).toContainText(
    TITLES[TITLES.length - 1]!,
  );
  await panel.reload();
  await expectTitles(panel, TITLES);
});

test('a failed save keeps its text beside the box with Retry, and the next typing is untouched', async ({
  context,
}) => {
  const panel = await openSidePanel(context);
  await expect(sendRequest(panel, { kind: 'dev.fail', fault: 'full' })).resolves.toMatchObject({ ok: true });
  const box = panel.getByRole('textbox', { name: 'New todo' });
  await box.focus();
  await panel.keyboard.type('Never saved', { delay: 30 });
  await panel.keyboard.press('Enter');
  await panel.keyboard.type('Typed meanwhile', { delay: 30 });
  const unsaved = panel.getByRole('list', { name: 'Not saved' });
  await expect(unsaved.getByRole('listitem')).toHaveCount(1);
  await expect(unsaved).toContainText('Never saved');
  await expect(unsaved).toContainText('no room left');
  await expect(box).toHaveValue('Typed meanwhile');
  await expect(todoItem(panel, 'Never saved')).toHaveCount(0);

  // The fault was one-shot: Retry saves it, and the box still holds the new text.
  await unsaved.getByRole('button', { name: 'Retry Never saved' }).click();
  await expect(todoItem(panel, 'Never saved')).toBeVisible();
  await expect(unsaved).toHaveCount(0);
  await expect(box).toHaveValue('Typed meanwhile');
});
