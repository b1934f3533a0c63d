import { rmSync } from 'node:fs';
import type { Browser } from 'puppeteer-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { launchFirefox, newFirefoxProfileDir, openExtensionPage, pollUntil } from './firefox';
import {
  addTodo,
  byRole,
  isChecked,
  listTexts,
  listTitles,
  retype,
  waitForText,
  waitForTitles,
} from './todo-page';

describe('Todo-Tasker in Firefox ESR', () => {
  let dir: string;
  let firefox: Browser;

  beforeEach(async () => {
    dir = newFirefoxProfileDir();
    firefox = await launchFirefox(dir);
  });
  afterEach(async () => {
    await firefox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows a todo added in the popup in the open sidebar page without reloading it', async () => {
    const sidebar = await openExtensionPage(firefox, 'sidepanel.html');
    await waitForText(sidebar, 'No todos yet');
    const popup = await openExtensionPage(firefox, 'popup.html');
    await addTodo(popup, '  Buy oat milk  ');
    expect(await waitForTitles(popup, ['Buy oat milk'], 'Recent todos')).toEqual(['Buy oat milk']);
    expect(await waitForTitles(sidebar, ['Buy oat milk'])).toEqual(['Buy oat milk']);
    await byRole(popup, 'Open side panel', 'button');
  });

  it('opens the real Firefox sidebar from the popup’s button, showing the saved todo', async () => {
    const popup = await openExtensionPage(firefox, 'popup.html');
    await addTodo(popup, 'Seen in the sidebar');
    // Another popup tab watches for the sidebar's page (the clicked popup closes itself once the
    // sidebar opened). No sidebar.html tab is open, so any sidebar.html view is the real sidebar.
    const watcher = await openExtensionPage(firefox, 'popup.html');
    const sidebarText = () =>
      watcher.evaluate(
        () =>
          browser.extension.getViews().find((w) => w.location.pathname === '/sidepanel.html')?.document.body
            .innerText ?? null,
      );
    expect(await sidebarText()).toBeNull();
    await (await byRole(popup, 'Open side panel', 'button')).click();
    const text = await pollUntil(
      sidebarText,
      (t) => t?.includes('Seen in the sidebar') ?? false,
      'the sidebar',
    );
    expect(text).toContain('New todo');
  });

  it('edits a todo, completes it, and deletes it', async () => {
    const sidebar = await openExtensionPage(firefox, 'sidepanel.html');
    await addTodo(sidebar, 'Draft report');
    await addTodo(sidebar, 'Call bank');
    await waitForTitles(sidebar, ['Draft report', 'Call bank']);

    await (await byRole(sidebar, 'Edit Draft report', 'button')).click();
    await retype(sidebar, await byRole(sidebar, 'Title', 'textbox'), 'Final report');
    await (await byRole(sidebar, 'Priority', 'combobox')).select('high');
    await (await byRole(sidebar, 'Save', 'button')).click();
    await waitForTitles(sidebar, ['Final report', 'Call bank']);
    const texts = await listTexts(sidebar, 'Todos');
    expect(texts.find((t) => t.startsWith('Final report'))).toContain('high priority');

    const done = await byRole(sidebar, 'Complete Final report', 'checkbox');
    await done.click();
    await pollUntil(() => isChecked(done), Boolean, 'the checkbox to be checked');
    await (await byRole(sidebar, 'Completed (1)', 'radio')).click();
    expect(await waitForTitles(sidebar, ['Final report'])).toEqual(['Final report']);
    await (await byRole(sidebar, 'All (2)', 'radio')).click();
    await waitForTitles(sidebar, ['Final report', 'Call bank']);

    await (await byRole(sidebar, 'Delete Call bank', 'button')).click();
    expect(await waitForTitles(sidebar, ['Final report'])).toEqual(['Final report']);
    await waitForText(sidebar, 'Deleted “Call bank”');
    expect(await listTitles(sidebar)).not.toContain('Call bank');
  });

  it('hides completed todos while “Hide completed todos” is on in Settings, and shows them again when off', async () => {
    const sidebar = await openExtensionPage(firefox, 'sidepanel.html');
    await addTodo(sidebar, 'Water plants');
    await addTodo(sidebar, 'Pay rent');
    const done = await byRole(sidebar, 'Complete Water plants', 'checkbox');
    await done.click();
    await pollUntil(() => isChecked(done), Boolean, 'Water plants to be checked');
    // Completed, it keeps its place until the list is next loaded.
    expect(await listTitles(sidebar)).toEqual(['Pay rent', 'Water plants']);

    await (await byRole(sidebar, 'Settings', 'button')).click();
    const hide = await byRole(sidebar, 'Hide completed todos', 'checkbox');
    // The box is disabled until the stored preferences are read, and reads off by default.
    await pollUntil(
      () => hide.evaluate((el) => el instanceof HTMLInputElement && !el.disabled),
      Boolean,
      'the setting to be ready',
    );
    expect(await isChecked(hide)).toBe(false);
    await hide.click();
    await pollUntil(() => isChecked(hide), Boolean, 'Hide completed todos on');
    expect(await waitForTitles(sidebar, ['Pay rent'])).toEqual(['Pay rent']);
    await waitForText(sidebar, 'All (1)');
    // The Completed filter still lists it.
    await (await byRole(sidebar, 'Completed (1)', 'radio')).click();
    expect(await waitForTitles(sidebar, ['Water plants'])).toEqual(['Water plants']);
    await (await byRole(sidebar, 'All (1)', 'radio')).click();
    expect(await waitForTitles(sidebar, ['Pay rent'])).toEqual(['Pay rent']);

    await hide.click();
    await pollUntil(
      () => isChecked(hide),
      (on) => !on,
      'Hide completed todos off',
    );
    // Back, below the open todo.
    expect(
      await pollUntil(
        () => listTitles(sidebar),
        (t) => t.length === 2,
        'both todos listed',
      ),
    ).toEqual(['Pay rent', 'Water plants']);
  });
});
