/**
 * Quick add with meaning (issue 12): "Call Bob tomorrow 5pm !high" is saved as "Call Bob", due
 * tomorrow 17:00, high priority, with a preview of what was understood shown in the form before
 * Enter, and a way to keep the words as typed. The old box saved every word as the title.
 */
import type { Page } from '@playwright/test';
import { expect, openPopup, openSidePanel, test, todoItem } from './fixtures';

/** Tomorrow in the page's own time zone, `YYYY-MM-DD` (the form's <input type=date> value). */
const tomorrow = (page: Page) =>
  page.evaluate(() => {
    const d = new Date();
    d.setDate(d.getDate() + 1);
    const p = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  });

async function expectSaved(
  panel: Page,
  title: string,
  fields: { date: string; time: string; priority: string },
) {
  await todoItem(panel, title)
    .getByRole('button', { name: `Edit ${title}` })
    .click();
  const editor = panel.getByRole('form', { name: `Edit ${title}` });
  await expect(editor.getByLabel('Title')).toHaveValue(title);
  await expect(editor.getByLabel('Due date')).toHaveValue(fields.date);
  await expect(editor.getByLabel('Due time')).toHaveValue(fields.time);
  await expect(editor.getByLabel('Priority')).toHaveValue(fields.priority);
  await editor.getByRole('button', { name: 'Cancel' }).click();
}

test('the side panel saves "Call Bob tomorrow 5pm !high" as Call Bob, due tomorrow 17:00, high, after a preview', async ({
  context,
}) => {
  const panel = await openSidePanel(context);
  await expect(panel.getByText('No todos yet')).toBeVisible();
  const box = panel.getByRole('textbox', { name: 'New todo' });
  await box.pressSequentially('Call Bob tomorrow 5pm !high', { delay: 10 });
  // The preview is text in the form beside the box, and the box is described by it.
  const form = box.locator('..');
  await expect(form).toContainText('Saves “Call Bob”, due');
  await expect(form).toContainText('5:00 PM, high priority.');
  await expect(box).toHaveAccessibleDescription(/Saves “Call Bob”/);
  await box.press('Enter');
  await expect(todoItem(panel, 'Call Bob')).toBeVisible();
  await expect(todoItem(panel, 'Call Bob')).toContainText('high priority');
  await expectSaved(panel, 'Call Bob', { date: await tomorrow(panel), time: '17:00', priority: 'high' });
  // The preview is gone with the text.
  await expect(form).not.toContainText('Saves');
});

test('Keep as typed and Shift+Enter save the words literally', async ({ context }) => {
  const panel = await openSidePanel(context);
  const box = panel.getByRole('textbox', { name: 'New todo' });
  await box.fill('Read chapter 5 tomorrow !low');
  const keep = panel.getByRole('button', { name: 'Keep as typed' });
  await expect(keep).toHaveAttribute('aria-pressed', 'false');
  await keep.click();
  await expect(keep).toHaveAttribute('aria-pressed', 'true');
  await expect(box.locator('..')).toContainText('Will be saved as typed.');
  // Focus went back to the box, so Enter saves.
  await expect(box).toBeFocused();
  await box.press('Enter');
  await expect(todoItem(panel, 'Read chapter 5 tomorrow !low')).toBeVisible();
  await expectSaved(panel, 'Read chapter 5 tomorrow !low', { date: '', time: '', priority: 'medium' });

  // The choice applies to one save; the next text is understood again, unless Shift+Enter.
  await box.fill('Plan trip next week !!');
  await expect(panel.getByRole('button', { name: 'Keep as typed' })).toHaveAttribute('aria-pressed', 'false');
  await box.press('Shift+Enter');
  await expect(todoItem(panel, 'Plan trip next week !!')).toBeVisible();
  await expect(todoItem(panel, 'Plan trip')).toHaveCount(0);
});

test('the popup understands dates and priorities too', async ({ context }) => {
  const popup = await openPopup(context);
  const box = popup.getByRole('textbox', { name: 'New todo' });
  await box.fill('Pay rent tomorrow !!');
  await expect(box.locator('..')).toContainText('Saves “Pay rent”, due');
  await expect(box.locator('..')).toContainText('high priority.');
  await box.press('Enter');
  await expect(box).toHaveValue('');
  const panel = await openSidePanel(context);
  await expect(todoItem(panel, 'Pay rent')).toContainText('high priority');
  await expectSaved(panel, 'Pay rent', { date: await tomorrow(panel), time: '', priority: 'high' });
});
