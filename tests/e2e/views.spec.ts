/**
 * Today, Upcoming, Overdue and All (issue 12). Due dates are set relative to the page's own day, so
 * the test holds whatever the date and time zone it runs in. The old side panel had no views.
 */
import type { Page } from '@playwright/test';
import { expect, openSidePanel, sendRequest, test, todoList } from './fixtures';

/** The page's local day plus `n` days, `YYYY-MM-DD`. */
const day = (page: Page, n: number) =>
  page.evaluate((k) => {
    const d = new Date();
    d.setDate(d.getDate() + k);
    const p = (x: number) => String(x).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  }, n);

const titles = (page: Page) => todoList(page).getByRole('listitem').locator('.title');

test('Today, Upcoming and Overdue show the todos due then, completed last, and Upcoming is grouped by day', async ({
  context,
}) => {
  const panel = await openSidePanel(context);
  await expect(panel.getByText('No todos yet')).toBeVisible();
  const create = async (title: string, due: string | null, completed = false) => {
    const r = (await sendRequest(panel, { kind: 'todos.create', input: { title, due_date: due } })) as {
      ok: boolean;
      data: { id: string };
    };
    expect(r.ok).toBe(true);
    if (completed)
      await sendRequest(panel, { kind: 'todos.update', id: r.data.id, patch: { completed: true } });
  };
  await create('Pay the bill', await day(panel, -2));
  await create('Water plants', await day(panel, 0));
  await create('Buy stamps', `${await day(panel, 0)}T23:59`);
  await create('Post the parcel', await day(panel, 0), true);
  await create('Book flights', await day(panel, 1));
  await create('Call the bank', `${await day(panel, 1)}T09:00`);
  await create('Renew insurance', await day(panel, 3));
  await create('Plan holiday', await day(panel, 12));
  await create('Someday', null);

  const views = panel.getByRole('navigation', { name: 'Views' });
  const show = async (name: string) => {
    await views.getByRole('button', { name, exact: true }).click();
    await expect(views.getByRole('button', { name, exact: true })).toHaveAttribute('aria-pressed', 'true');
  };

  await show('All');
  await expect(todoList(panel).getByRole('listitem')).toHaveCount(9);

  await show('Today');
  await expect(titles(panel)).toHaveText(['Water plants', 'Buy stamps', 'Post the parcel']);
  // Completing one leaves it in place (nothing moves under the pointer); shown again, it sits below
  // the open ones.
  const water = todoList(panel).getByRole('checkbox', { name: 'Complete Water plants' });
  await water.check();
  await expect(water).toBeChecked();
  await expect(titles(panel)).toHaveText(['Water plants', 'Buy stamps', 'Post the parcel']);
  await show('All');
  await show('Today');
  await expect(titles(panel)).toHaveText(['Buy stamps', 'Water plants', 'Post the parcel']);

  await show('Upcoming');
  await expect(titles(panel)).toHaveText(['Book flights', 'Call the bank', 'Renew insurance']);
  const headings = todoList(panel).getByRole('heading', { level: 3 });
  await expect(headings).toHaveCount(2);
  const dayName = (n: number) =>
    panel.evaluate((k) => {
      const d = new Date();
      d.setDate(d.getDate() + k);
      return d.toLocaleDateString(undefined, { weekday: 'long', month: 'short', day: 'numeric' });
    }, n);
  await expect(headings).toHaveText([await dayName(1), await dayName(3)]);

  await show('Overdue');
  await expect(titles(panel)).toHaveText(['Pay the bill']);
  // Completed, it stays (checked) until the view is shown again; then a view with nothing in it says so.
  const bill = todoList(panel).getByRole('checkbox', { name: 'Complete Pay the bill' });
  await bill.check();
  await expect(bill).toBeChecked();
  await show('Today');
  await show('Overdue');
  await expect(panel.getByText('Nothing overdue.')).toBeVisible();
  // The sort menu is for All only.
  await expect(panel.getByLabel('Sort by')).toBeHidden();
  await show('All');
  await expect(panel.getByLabel('Sort by')).toBeVisible();
});
