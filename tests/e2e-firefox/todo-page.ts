/**
 * What a person does on the popup or sidebar page, found by role and accessible name (puppeteer's
 * ARIA queries), with every wait a bounded poll (see firefox.ts for why nothing awaits Firefox's own
 * waits on moz-extension:// pages).
 */
import type { ElementHandle, Page } from 'puppeteer-core';
import { pollUntil } from './firefox';

export async function byRole(page: Page, name: string, role: string): Promise<ElementHandle<Element>> {
  const q = `aria/${name}[role="${role}"]`;
  const found = await pollUntil(
    () => page.$(q),
    (h) => h !== null,
    q,
  );
  if (!found) throw new Error(`no ${q}`);
  return found;
}

/** By accessible name alone: Firefox's tree does not answer `[role="img"]` for an <img> with alt text. */
export async function byName(page: Page, name: string): Promise<ElementHandle<Element>> {
  const q = `aria/${name}`;
  const found = await pollUntil(
    () => page.$(q),
    (h) => h !== null,
    q,
  );
  if (!found) throw new Error(`no ${q}`);
  return found;
}

/** The visible lines of each item of the list with this accessible name ("Todos", "Recent todos"). */
export async function listTexts(page: Page, listName: string): Promise<string[]> {
  const list = await page.$(`aria/${listName}[role="list"]`);
  if (!list) return [];
  const items = await list.$$('aria/[role="listitem"]');
  return Promise.all(items.map((i) => i.evaluate((el) => (el instanceof HTMLElement ? el.innerText : ''))));
}

/** Item titles (first line) of a list; what a person reads down the list. */
export async function listTitles(page: Page, listName = 'Todos'): Promise<string[]> {
  return (await listTexts(page, listName)).map((t) => t.split('\n')[0]?.trim() ?? '');
}

export function waitForTitles(page: Page, expected: string[], listName = 'Todos'): Promise<string[]> {
  const want = JSON.stringify([...expected].sort());
  return pollUntil(
    () => listTitles(page, listName),
    (titles) => JSON.stringify([...titles].sort()) === want,
    `${listName} to be ${want}`,
  );
}

export const waitForText = (page: Page, text: string) =>
  pollUntil(
    () => page.evaluate(() => document.body.innerText),
    (body) => body.includes(text),
    `“${text}” on the page`,
  );

/** Replaces a text field's content the way a person does: select all, type over it. */
/**
 * Clicks `el` the way a person can: only once nothing covers its centre (a notice sticky at the
 * bottom of the panel can sit over an editor's buttons for its ten seconds). Puppeteer clicks the
 * point whatever is on top, where Playwright waits for the element to receive the click.
 */
export async function clickUncovered(el: ElementHandle<Element>, what = 'the control'): Promise<void> {
  await el.scrollIntoView();
  await pollUntil(
    () =>
      el.evaluate((e) => {
        const r = e.getBoundingClientRect();
        const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        return hit !== null && (hit === e || e.contains(hit)) ? '' : (hit?.textContent ?? 'nothing').trim();
      }),
    (coveredBy) => coveredBy === '',
    `${what} to be uncovered`,
  );
  await el.click();
}

export async function retype(page: Page, field: ElementHandle<Element>, text: string): Promise<void> {
  await field.click({ count: 3 });
  await page.keyboard.press('Backspace');
  await field.type(text);
}

/**
 * Types into "New todo", presses Enter, and waits until the save is confirmed: the box clears at
 * Enter, and its form is `aria-busy` until every save it sent has answered (a failed one is listed
 * as "Not saved").
 */
export async function addTodo(page: Page, title: string): Promise<void> {
  const box = await byRole(page, 'New todo', 'textbox');
  await box.type(title);
  await box.press('Enter');
  await pollUntil(
    () =>
      box.evaluate((el) => ({
        value: el instanceof HTMLInputElement ? el.value : '',
        busy: el.parentElement?.getAttribute('aria-busy') === 'true',
      })),
    (s) => s.value === '' && !s.busy,
    `“${title}” to be saved`,
  );
  if (await page.$('[aria-label="Not saved"]')) throw new Error(`“${title}” was not saved`);
}

export async function isChecked(h: ElementHandle<Element>): Promise<boolean> {
  return h.evaluate((el) => el instanceof HTMLInputElement && el.checked);
}
