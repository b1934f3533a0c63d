import type { Page } from '@playwright/test';
import { expect, openSidePanel, sendRequest, test, todoList } from './fixtures';

/**
 * Seeds `total` todos once the page's database is open, in requests of 5,000: on the loaded shared
 * machine one request of 10,000 sent to a database still opening outlasted the DB host's 15 s answer
 * timeout.
 */
async function seed(page: Page, total: number): Promise<void> {
  await expect(page.getByText('No todos yet')).toBeVisible({ timeout: 30_000 });
  for (let done = 0; done < total; done += 5_000)
    await expect(
      sendRequest(page, { kind: 'dev.seed', count: Math.min(5_000, total - done) }),
    ).resolves.toMatchObject({ ok: true });
}

/** Counts the `todos.page` requests the page sends from now on. */
async function countPageRequests(panel: Page): Promise<() => Promise<number>> {
  await panel.evaluate(() => {
    const w = window as unknown as { ttPages: number };
    w.ttPages = 0;
    const send = chrome.runtime.sendMessage.bind(chrome.runtime);
    chrome.runtime.sendMessage = ((msg: { request?: { kind?: string } }) => {
      if (msg?.request?.kind === 'todos.page') w.ttPages++;
      return send(msg);
    }) as typeof chrome.runtime.sendMessage;
  });
  return () => panel.evaluate(() => (window as unknown as { ttPages: number }).ttPages);
}

test('a virtual list over 10,000 todos keeps few rows in the DOM, reaches the end at once and toggles there', async ({
  context,
}) => {
  const seeder = await openSidePanel(context);
  await seed(seeder, 10_000);
  await seeder.close();

  const panel = await openSidePanel(context);
  const items = todoList(panel).getByRole('listitem');
  await expect(items.first()).toBeVisible();
  await expect(panel.getByRole('radio', { name: /All/ })).toHaveAccessibleName(/10000/);
  // Five-digit counts still fit a 360 px panel: the filters wrap rather than run off its edge.
  await panel.setViewportSize({ width: 360, height: 700 });
  for (const name of [/^All/, /^Active/, /^Completed/]) {
    const box = await panel.getByRole('radio', { name }).locator('..').boundingBox();
    expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(360);
  }
  expect(await panel.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  // Each row says where it stands in the whole list, for screen readers.
  await expect(items.first()).toHaveAttribute('aria-posinset', '1');
  await expect(items.first()).toHaveAttribute('aria-setsize', '10000');
  expect(await items.count()).toBeLessThanOrEqual(60);
  await expect(panel.getByRole('button', { name: 'Load more' })).toHaveCount(0);

  // The end of the list is one scroll away: a page or two fetched, not the 99 pages before it.
  const pages = await countPageRequests(panel);
  await panel.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  const last = todoList(panel).locator('li[aria-posinset="10000"]');
  await expect(last).toBeVisible();
  expect(await pages()).toBeLessThanOrEqual(2);
  expect(await items.count()).toBeLessThanOrEqual(60);
  const nodes = await panel.evaluate(() => document.getElementsByTagName('*').length);
  expect(nodes).toBeLessThan(1_500);

  // A toggle near the end patches that row by id: no page of rows is fetched again.
  const before = await pages();
  const title = (await last.locator('.title').textContent()) ?? '';
  expect(title).toMatch(/^Seeded todo \d+$/);
  await last.getByRole('checkbox', { name: `Complete ${title}` }).check();
  await expect(panel.getByRole('radio', { name: /Completed/ })).toHaveAccessibleName(/\(1\)/);
  await expect(last.getByRole('checkbox')).toBeChecked();
  expect(await pages()).toBe(before);

  // Back to the top, and a search still finds one row among all.
  await panel.evaluate(() => window.scrollTo(0, 0));
  await expect(items.first()).toHaveAttribute('aria-posinset', '1');
  const search = panel.getByRole('searchbox', { name: 'Search todos' });
  // Seeded in two requests of 5,000, so each title is there twice.
  await search.fill('Seeded todo 4876');
  await expect(items).toHaveCount(2);
  await expect(items.first()).toContainText('Seeded todo 4876');
  await expect(items.first()).toHaveAttribute('aria-setsize', '2');
});

test('scrolls to the end of 100,000 todos and toggles one there, with the DOM bounded', async ({
  context,
}) => {
  test.setTimeout(600_000);
  const seeder = await openSidePanel(context);
  await seed(seeder, 100_000);
  await seeder.close();

  const panel = await openSidePanel(context);
  const items = todoList(panel).getByRole('listitem');
  await expect(panel.getByRole('radio', { name: /All/ })).toHaveAccessibleName(/100000/, { timeout: 60_000 });
  await expect(items.first()).toHaveAttribute('aria-setsize', '100000');

  const pages = await countPageRequests(panel);
  await panel.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  const last = todoList(panel).locator('li[aria-posinset="100000"]');
  await expect(last).toBeVisible({ timeout: 30_000 });
  expect(await pages()).toBeLessThanOrEqual(2);
  expect(await items.count()).toBeLessThanOrEqual(60);
  expect(await panel.evaluate(() => document.getElementsByTagName('*').length)).toBeLessThan(1_500);

  const near = todoList(panel).locator('li[aria-posinset="99998"]');
  const title = (await near.locator('.title').textContent()) ?? '';
  await near.getByRole('checkbox', { name: `Complete ${title}` }).check();
  await expect(panel.getByRole('radio', { name: /Completed/ })).toHaveAccessibleName(/\(1\)/);
  await expect(near.getByRole('checkbox')).toBeChecked();
});

test('an open editor keeps its typed text and focus when its row is scrolled far out of view', async ({
  context,
}) => {
  const panel = await openSidePanel(context);
  await seed(panel, 1_000);
  const items = todoList(panel).getByRole('listitem');
  await expect(items.first()).toHaveAttribute('aria-setsize', '1000');
  const first = todoList(panel).locator('li[aria-posinset="1"]');
  await first.getByRole('button', { name: /^Edit / }).click();
  const title = first.getByRole('textbox', { name: 'Title' });
  await title.fill('Half-typed new title');

  await panel.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await expect(todoList(panel).locator('li[aria-posinset="1000"]')).toBeVisible();
  await expect(title).toBeFocused();
  expect(await items.count()).toBeLessThanOrEqual(60);

  await panel.evaluate(() => window.scrollTo(0, 0));
  await expect(title).toHaveValue('Half-typed new title');
  await expect(title).toBeFocused();
});
