/**
 * Capture from anywhere (issue 12): the shortcuts are registered with the browser (so they show in
 * chrome://extensions/shortcuts), the "Add to Todo-Tasker" items exist, and a click on one (given
 * to the handler the way the browser gives it) saves a todo whose URL is a safe link. Headless
 * Chromium has no menus to right-click and no browser-level key presses, so the service worker is
 * driven directly; the items' contexts are checked in tests/unit/capture.test.ts.
 */
import type { BrowserContext, Worker } from '@playwright/test';
import { CAPTURE_CLICKS, SAVED_AS_TEXT, SAVED_LINKS } from './capture-clicks';
import { expect, openSidePanel, test, todoItem } from './fixtures';

const worker = async (context: BrowserContext): Promise<Worker> =>
  context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));

test('registers the popup and side-panel shortcuts with the browser', async ({ context }) => {
  const sw = await worker(context);
  const commands = await sw.evaluate(() => chrome.commands.getAll());
  expect(commands).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ name: '_execute_action', shortcut: 'Alt+Shift+D' }),
      expect.objectContaining({
        name: 'open-side-panel',
        shortcut: 'Alt+Shift+L',
        description: 'Open the Todo-Tasker side panel',
      }),
    ]),
  );
});

test('the context-menu items exist and a click saves a link, a page and a selection with their URLs', async ({
  context,
}) => {
  const sw = await worker(context);
  // `update` fails for an id that was never created: a way to ask whether an item exists.
  const exists = (id: string) =>
    sw.evaluate(
      (i) =>
        chrome.contextMenus.update(i, {}).then(
          () => true,
          () => false,
        ),
      id,
    );
  await expect.poll(() => exists('tt-add-page')).toBe(true);
  expect(await exists('tt-add-selection')).toBe(true);
  expect(await exists('tt-add-link')).toBe(true);
  expect(await exists('no-such-item')).toBe(false);

  const click = (info: object, tab: object) =>
    sw.evaluate(
      ([i, t]) =>
        (
          globalThis as unknown as { ttCapture: { onClick(i: object, t: object): Promise<unknown> } }
        ).ttCapture.onClick(i, t),
      [info, tab] as const,
    );
  for (const c of CAPTURE_CLICKS) await click(c.info, c.tab);
  // The toolbar badge says it was saved (read in the same turn as the click: it clears after 3 s).
  expect(
    await sw.evaluate(async () => {
      const capture = (globalThis as unknown as { ttCapture: { onClick(i: object): Promise<unknown> } })
        .ttCapture;
      await capture.onClick({ menuItemId: 'tt-add-selection', selectionText: 'Badge check' });
      return chrome.action.getBadgeText({});
    }),
  ).toBe('✓');

  const panel = await openSidePanel(context);
  for (const { title, href } of SAVED_LINKS) {
    const link = todoItem(panel, title).getByRole('link');
    await expect(link).toHaveAttribute('href', href);
    await expect(link).toHaveAttribute('target', '_blank');
    await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
  }
  await expect(
    todoItem(panel, SAVED_LINKS[0]!.title).getByRole('link', { name: SAVED_LINKS[0]!.href }),
  ).toBeVisible();
  // A javascript: URL is kept as text and never becomes a link.
  const sneaky = todoItem(panel, SAVED_AS_TEXT.title);
  await expect(sneaky).toContainText(SAVED_AS_TEXT.text);
  await expect(sneaky.getByRole('link')).toHaveCount(0);
  expect(await panel.locator('a[href^="javascript"]').count()).toBe(0);
});
