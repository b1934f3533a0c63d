/**
 * Reusable Playwright fixtures: Debian Chromium with the built extension (`wxt build --mode test`)
 * on a fresh persistent profile per test, and helpers to open the extension's pages as tabs (the
 * real side panel is not a Playwright page). Later suites (pairing, phone) import these.
 */
import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CHROME_EXTENSION_ID } from '../../lib/extension-identity';

import { launchWithExtension } from './chromium-launch';

export { CHROMIUM, EXTENSION_DIR, launchWithExtension } from './chromium-launch';

export function newProfileDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'tt-profile-'));
}

export const extensionUrl = (page: string) => `chrome-extension://${CHROME_EXTENSION_ID}/${page}`;

export async function openPopup(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(extensionUrl('popup.html'));
  return page;
}

export async function openSidePanel(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(extensionUrl('sidepanel.html'));
  return page;
}

/** Sends one request of the message union from an extension page, as the UI does. */
export async function sendRequest(page: Page, request: unknown): Promise<unknown> {
  return page.evaluate((req) => chrome.runtime.sendMessage({ channel: 'tt.request', request: req }), request);
}

/**
 * Adds a todo through the given page's "New todo" box and waits until it is saved: the box clears at
 * Enter, and its form is `aria-busy` until every save it sent has answered.
 */
export async function addTodo(page: Page, title: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'New todo' });
  await box.fill(title);
  await box.press('Enter');
  await expect(box).toHaveValue('');
  await expect(box.locator('..')).not.toHaveAttribute('aria-busy', 'true');
  await expect(page.getByRole('list', { name: 'Not saved' })).toHaveCount(0);
}

/** Opens the side panel's "More actions" list (Sync history, Recently deleted, Back up…) if it is closed. */
export async function openMoreActions(page: Page): Promise<void> {
  const more = page.getByRole('button', { name: 'More actions' });
  if ((await more.getAttribute('aria-expanded')) !== 'true') await more.click();
}

/** Clicks a button of the side panel's "More actions" list, opening the list first. */
export async function clickMoreAction(page: Page, name: string): Promise<void> {
  await openMoreActions(page);
  await page.getByRole('button', { name, exact: true }).click();
}

export const todoList = (page: Page) => page.getByRole('list', { name: 'Todos' });
export const todoItem = (page: Page, title: string) =>
  todoList(page)
    .getByRole('listitem')
    .filter({ has: page.getByText(title, { exact: true }) });

/** Renames a todo through its editor (side panel and phone alike) and waits for the new title in the list. */
export async function editTitle(page: Page, from: string, to: string): Promise<void> {
  await todoItem(page, from)
    .getByRole('button', { name: `Edit ${from}` })
    .click();
  await page.getByRole('textbox', { name: 'Title' }).fill(to);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(todoItem(page, to)).toBeVisible();
}

/** The list shows exactly these titles (in any order). */
export async function expectTitles(page: Page, titles: string[], timeout?: number): Promise<void> {
  for (const t of titles) await expect(todoItem(page, t)).toBeVisible({ timeout });
  await expect(todoList(page).getByRole('listitem')).toHaveCount(titles.length);
}

type Fixtures = { profileDir: string; context: BrowserContext };

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern
  profileDir: async ({}, use) => {
    const dir = newProfileDir();
    await use(dir);
    rmSync(dir, { recursive: true, force: true });
  },
  context: async ({ profileDir }, use) => {
    const context = await launchWithExtension(profileDir);
    await use(context);
    await context.close();
  },
});

export { expect };
