/**
 * The popup shows what is due (issue 12): overdue and today's todos with checkboxes, and a date
 * picker per row, not only the last five created. Dates are relative to the page's own day, and the
 * pages' clock reads noon today: a todo due today at 16:30 is still to come whenever the test runs
 * (at 16:48 it was overdue, and the test failed).
 */
import type { BrowserContext, Page } from '@playwright/test';
import { expect, extensionUrl, sendRequest, test } from './fixtures';

async function openPopupAtNoon(context: BrowserContext): Promise<Page> {
  const noon = new Date();
  noon.setHours(12, 0, 0, 0);
  const page = await context.newPage();
  // Date reads noon; timers still run.
  await page.clock.setFixedTime(noon);
  await page.goto(extensionUrl('popup.html'));
  return page;
}

const day = (page: Page, n: number) =>
  page.evaluate((k) => {
    const d = new Date();
    d.setDate(d.getDate() + k);
    const p = (x: number) => String(x).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  }, n);

type Todo = { id: string; title: string; completed: boolean; due_date: string | null };

test('the popup lists overdue and today’s todos, completes one and moves another to a new date', async ({
  context,
}) => {
  const seeder = await openPopupAtNoon(context);
  const ids: Record<string, string> = {};
  for (const [title, due] of [
    ['Pay the bill', await day(seeder, -1)],
    ['Water plants', await day(seeder, 0)],
    ['Call the bank', `${await day(seeder, 0)}T16:30`],
    ['Book flights', await day(seeder, 1)],
    ['Someday', null],
  ] as const) {
    const r = (await sendRequest(seeder, { kind: 'todos.create', input: { title, due_date: due } })) as {
      data: Todo;
    };
    ids[title] = r.data.id;
  }
  const get = async (title: string) =>
    ((await sendRequest(seeder, { kind: 'todos.get', id: ids[title] })) as { data: Todo }).data;

  const popup = await openPopupAtNoon(context);
  const overdue = popup.getByRole('list', { name: 'Overdue todos' });
  const today = popup.getByRole('list', { name: 'Today’s todos' });
  await expect(overdue.getByRole('listitem')).toHaveCount(1);
  await expect(overdue).toContainText('Pay the bill');
  await expect(today.getByRole('listitem')).toHaveCount(2);
  await expect(today).toContainText('Water plants');
  await expect(today).toContainText('Call the bank');
  await expect(today).toContainText('16:30');
  await expect(popup.getByRole('heading', { level: 1 })).toHaveText('Todo-Tasker');

  // Complete from the popup: the row stays, struck through, and the todo is saved as done.
  await today.getByRole('checkbox', { name: 'Complete Water plants' }).check();
  await expect.poll(async () => (await get('Water plants')).completed).toBe(true);
  await expect(today.getByRole('listitem')).toHaveCount(2);

  // Move the overdue one to tomorrow with the quick choice; focus returns to its button.
  const opener = overdue.getByRole('button', { name: 'Change due date of Pay the bill' });
  await opener.click();
  await overdue
    .getByRole('group', { name: 'Due date of Pay the bill' })
    .getByRole('button', { name: 'Tomorrow' })
    .click();
  const tomorrow = await day(popup, 1);
  await expect.poll(async () => (await get('Pay the bill')).due_date).toBe(tomorrow);
  await expect(opener).toBeFocused();

  // A typed date keeps the todo's time of day.
  await today.getByRole('button', { name: 'Change due date of Call the bank' }).click();
  const in5 = await day(popup, 5);
  await today.getByLabel('Due date', { exact: true }).fill(in5);
  await expect.poll(async () => (await get('Call the bank')).due_date).toBe(`${in5}T16:30`);

  // Opened again, the popup shows what is due now.
  await popup.reload();
  await expect(popup.getByRole('list', { name: 'Overdue todos' })).toHaveCount(0);
  await expect(popup.getByRole('list', { name: 'Today’s todos' }).getByRole('listitem')).toHaveCount(1);

  // A todo added with a date today appears in Today.
  const box = popup.getByRole('textbox', { name: 'New todo' });
  await box.fill('Buy milk today');
  await box.press('Enter');
  await expect(popup.getByRole('list', { name: 'Today’s todos' })).toContainText('Buy milk');
});

test('today’s completed todos come after the open ones, or not at all under Hide completed todos', async ({
  context,
}) => {
  const seeder = await openPopupAtNoon(context);
  for (const [title, done] of [
    ['Renew passport', true],
    ['Water plants', false],
  ] as const) {
    const r = (await sendRequest(seeder, {
      kind: 'todos.create',
      input: { title, due_date: await day(seeder, 0) },
    })) as { data: Todo };
    if (done) await sendRequest(seeder, { kind: 'todos.update', id: r.data.id, patch: { completed: true } });
  }
  const titles = (popup: Page) => popup.getByRole('list', { name: 'Today’s todos' }).getByRole('listitem');

  const shown = await openPopupAtNoon(context);
  await expect(titles(shown)).toHaveText([/Water plants/, /Renew passport/]);
  await shown.close();

  // The setting is written where Settings writes it (storage.local, read by every extension page).
  await seeder.evaluate(() =>
    chrome.storage.local.set({ 'tt.preferences': { reminders: false, badge: true, hideCompleted: true } }),
  );
  const hidden = await openPopupAtNoon(context);
  await expect(titles(hidden)).toHaveText([/Water plants/]);
});
