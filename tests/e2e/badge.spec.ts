/**
 * The toolbar badge counts open todos that are overdue or due today (issue 12), and follows changes
 * with no page asking for it.
 */
import type { Page } from '@playwright/test';
import { expect, openSidePanel, sendRequest, test } from './fixtures';

const day = (page: Page, n: number) =>
  page.evaluate((k) => {
    const d = new Date();
    d.setDate(d.getDate() + k);
    const p = (x: number) => String(x).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  }, n);

test('the toolbar badge counts overdue and today’s open todos', async ({ context }) => {
  const sw = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  const badge = () => sw.evaluate(() => chrome.action.getBadgeText({}));
  const panel = await openSidePanel(context);
  await expect(panel.getByText('No todos yet')).toBeVisible();
  await expect.poll(badge).toBe('');
  const create = async (title: string, due: string | null) =>
    (
      (await sendRequest(panel, { kind: 'todos.create', input: { title, due_date: due } })) as {
        data: { id: string };
      }
    ).data.id;
  await create('Overdue', await day(panel, -3));
  const today = await create('Today', await day(panel, 0));
  await create('Tomorrow', await day(panel, 1));
  await create('Undated', null);
  await expect.poll(badge).toBe('2');
  await sendRequest(panel, { kind: 'todos.update', id: today, patch: { completed: true } });
  await expect.poll(badge).toBe('1');
});
