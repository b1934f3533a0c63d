import { rmSync } from 'node:fs';
import type { Browser, Page } from 'puppeteer-core';
import { afterEach, describe, expect, it } from 'vitest';
import { launchFirefox, newFirefoxProfileDir, openExtensionPage, pollUntil } from './firefox';
import { addTodo, byRole, isChecked, waitForTitles } from './todo-page';

/** Whether the add-on's background page is alive right now, as the page's own extension API sees it. */
const backgroundRunning = (page: Page) =>
  page.evaluate(() =>
    browser.extension.getViews().some((w) => w.location.pathname.endsWith('_generated_background_page.html')),
  );

describe('Todo-Tasker in Firefox ESR across restarts and suspension', () => {
  const open: Browser[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const b of open.splice(0)) if (b.connected) await b.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const launch = async (dir: string, backgroundIdleMs?: number) => {
    const b = await launchFirefox(dir, { backgroundIdleMs });
    open.push(b);
    return b;
  };

  it('keeps todos after Firefox is quit and started again on the same profile', async () => {
    const dir = newFirefoxProfileDir();
    dirs.push(dir);
    const first = await launch(dir);
    const sidebar = await openExtensionPage(first, 'sidepanel.html');
    await addTodo(sidebar, 'Remember me');
    await addTodo(sidebar, 'Me too');
    const done = await byRole(sidebar, 'Complete Me too', 'checkbox');
    await done.click();
    await pollUntil(() => isChecked(done), Boolean, 'Me too to be checked');
    // The browser ticks the box at the click; the write is saved once the database's count says so.
    // Quitting before that raced the write (CI of 5133cd9 restarted with the box unticked).
    await byRole(sidebar, 'Completed (1)', 'radio');
    await first.close();

    const second = await launch(dir);
    const again = await openExtensionPage(second, 'sidepanel.html');
    expect(await waitForTitles(again, ['Remember me', 'Me too'])).toHaveLength(2);
    expect(await isChecked(await byRole(again, 'Complete Me too', 'checkbox'))).toBe(true);
    expect(await isChecked(await byRole(again, 'Complete Remember me', 'checkbox'))).toBe(false);
  });

  it('wakes the suspended background page for the next add, with earlier todos kept', async () => {
    const dir = newFirefoxProfileDir();
    dirs.push(dir);
    // Short enough to wait for, long enough that the checks right after an add see it awake.
    const ff = await launch(dir, 3_000);
    const sidebar = await openExtensionPage(ff, 'sidepanel.html');
    await addTodo(sidebar, 'Before the nap');
    expect(await backgroundRunning(sidebar)).toBe(true);

    // Firefox suspends the idle event page, and the DB worker it started goes with it.
    await pollUntil(
      () => backgroundRunning(sidebar),
      (running) => !running,
      'the background page to be suspended',
    );

    await addTodo(sidebar, 'After the nap');
    expect(await backgroundRunning(sidebar)).toBe(true);
    expect(await waitForTitles(sidebar, ['Before the nap', 'After the nap'])).toHaveLength(2);

    // A freshly opened page reads from the woken worker, not from the old page's memory.
    const fresh = await openExtensionPage(ff, 'sidepanel.html');
    expect(await waitForTitles(fresh, ['Before the nap', 'After the nap'])).toHaveLength(2);
  });
});
