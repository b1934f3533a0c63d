/**
 * Capture from anywhere in Firefox ESR (issue 12), as tests/e2e/capture.spec.ts does in Chromium:
 * the popup and sidebar shortcuts are registered (so they show in "Manage Extension Shortcuts"),
 * the "Add to Todo-Tasker" items exist in Firefox's `menus` (also `contextMenus`), and a click on one, given to the event
 * page's listener the way Firefox gives it, saves a todo whose URL shows in the sidebar as a safe link.
 * Firefox under WebDriver BiDi has no context menu to right-click, so the click is delivered directly.
 */
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CAPTURE_CLICKS, CAPTURED_TITLES, SAVED_AS_TEXT, SAVED_LINKS } from '../e2e/capture-clicks';
import { launchFirefox, newFirefoxProfileDir, openExtensionPage, pollUntil } from './firefox';
import { waitForTitles } from './todo-page';

type Hook = { ttCapture: { onClick(info: object, tab?: object): Promise<unknown> } };

let dir: string;
let firefox: Browser;
let sidebar: Page;

beforeAll(async () => {
  dir = newFirefoxProfileDir();
  firefox = await launchFirefox(dir, { backgroundIdleMs: 600_000 });
  sidebar = await openExtensionPage(firefox, 'sidepanel.html');
});
afterAll(async () => {
  await firefox?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('registers the popup and sidebar shortcuts with Firefox', async () => {
  const commands = await sidebar.evaluate(async () =>
    (await browser.commands.getAll()).map((c) => ({
      name: c.name,
      shortcut: c.shortcut,
      description: c.description,
    })),
  );
  expect(commands).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ name: '_execute_action', shortcut: 'Alt+Shift+D' }),
      expect.objectContaining({
        name: '_execute_sidebar_action',
        shortcut: 'Alt+Shift+L',
        description: 'Open the Todo-Tasker sidebar',
      }),
    ]),
  );
});

it('has the menu items, and a click saves a link, a page and a selection; a javascript: URL stays text', async () => {
  // `update` fails for an id that was never created: a way to ask whether an item exists.
  const exists = (id: string) =>
    sidebar.evaluate(
      (i) =>
        browser.contextMenus.update(i, {}).then(
          () => true,
          () => false,
        ),
      id,
    );
  await pollUntil(
    () => exists('tt-add-page'),
    (e) => e,
    'the page menu item',
  );
  expect(await exists('tt-add-selection')).toBe(true);
  expect(await exists('tt-add-link')).toBe(true);
  expect(await exists('no-such-item')).toBe(false);

  const click = (info: object, tab: object) =>
    sidebar.evaluate(
      async (i, t) => {
        const bg = (await browser.runtime.getBackgroundPage()) as unknown as Hook;
        await bg.ttCapture.onClick(i, t);
      },
      info,
      tab,
    );
  for (const c of CAPTURE_CLICKS) await click(c.info, c.tab);

  // The open sidebar shows them without a reload, each URL a link that opens a new tab.
  await waitForTitles(sidebar, CAPTURED_TITLES);
  const links = await sidebar.evaluate(() =>
    [...document.querySelectorAll('ul[aria-label="Todos"] a')].map((a) => ({
      href: a.getAttribute('href'),
      target: a.getAttribute('target'),
      rel: a.getAttribute('rel'),
    })),
  );
  expect(links).toEqual(
    expect.arrayContaining(
      SAVED_LINKS.map(({ href }) => ({ href, target: '_blank', rel: 'noopener noreferrer' })),
    ),
  );
  expect(links.some((l) => l.href?.startsWith('javascript'))).toBe(false);
  expect(await sidebar.evaluate(() => document.body.innerText)).toContain(SAVED_AS_TEXT.text);
});
