import { expect, openSidePanel, sendRequest, test, todoList } from './fixtures';

test('opens and scrolls a side panel over 10,000 todos without loading them all', async ({ context }) => {
  const seeder = await openSidePanel(context);
  await expect(sendRequest(seeder, { kind: 'dev.seed', count: 10_000 })).resolves.toMatchObject({
    ok: true,
    data: { inserted: 10_000 },
  });
  await seeder.close();

  const panel = await openSidePanel(context);
  const items = todoList(panel).getByRole('listitem');
  await expect(items.first()).toBeVisible();
  await expect(panel.getByRole('radio', { name: /All/ })).toHaveAccessibleName(/10000/);
  const firstCount = await items.count();
  expect(firstCount).toBeLessThanOrEqual(200);

  // Scrolling to the end of what is loaded brings in the next page.
  await items.last().scrollIntoViewIfNeeded();
  await expect.poll(() => items.count()).toBeGreaterThan(firstCount);
  await items.last().scrollIntoViewIfNeeded();
  await expect.poll(() => items.count()).toBeGreaterThan(200);
  const scrolled = await items.count();

  // A toggle while scrolled deep patches that row by id: no page of rows is fetched again (it used
  // to refetch every loaded row), and what was loaded stays.
  await panel.evaluate(() => {
    const w = window as unknown as { ttPages: number };
    w.ttPages = 0;
    const send = chrome.runtime.sendMessage.bind(chrome.runtime);
    chrome.runtime.sendMessage = ((msg: { request?: { kind?: string } }) => {
      if (msg?.request?.kind === 'todos.page') w.ttPages++;
      return send(msg);
    }) as typeof chrome.runtime.sendMessage;
  });
  await items.first().getByRole('checkbox').check();
  await expect(panel.getByRole('radio', { name: /Completed/ })).toHaveAccessibleName(/\(1\)/);
  await expect(items.first().getByRole('checkbox')).toBeChecked();
  expect(await items.count()).toBe(scrolled);
  expect(await panel.evaluate(() => (window as unknown as { ttPages: number }).ttPages)).toBe(0);

  const search = panel.getByRole('searchbox', { name: 'Search todos' });
  await search.fill('Seeded todo 9876');
  await expect(items).toHaveCount(1);
  await expect(items.first()).toContainText('Seeded todo 9876');
});
