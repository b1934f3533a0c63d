/**
 * Chrome ↔ Firefox: a Chromium profile and a Firefox ESR profile, each with its own todos, pair
 * through the real relay (wrangler dev on loopback) using only the side panel / sidebar UI, in both
 * directions and by both means (pasted link, QR image), and end every session with identical lists.
 * Paired once, they form a circle: changes travel live both ways, and Firefox's event page stays up
 * (keep-alive) for as long as it is in the circle. Paired again after leaving, both browsers quit and
 * start again on their profiles, and changes still travel live both ways (issue 10).
 */
import type { Page as ChromePage } from 'playwright-core';
import type { Browser as FirefoxBrowser, ElementHandle, Page as FirefoxPage } from 'puppeteer-core';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRelay, type RelayProcess } from '../../scripts/relay-process.mjs';
import { KEEP_ALIVE_ALARM, KEEP_ALIVE_PERIOD_MINUTES } from '../../lib/platform/keep-alive-firefox';
import { launchChromium, openChromeSidePanel } from './chromium';
import { launchFirefox, newFirefoxProfileDir, openExtensionPage, pollUntil } from './firefox';
import { addTodo, byName, byRole, clickUncovered, retype, waitForText } from './todo-page';

const WAIT = { timeout: 30_000, interval: 100 };
// Long enough that a late alarm on a loaded machine still lands inside it.
const IDLE_MS = 15_000;
const SYNCED = /Synced with (Chrome|Firefox) on Linux · \w{4}\./;

let relay: RelayProcess;
let chromeDir: string;
let firefoxDir: string;
let chromeClose: () => Promise<void> = async () => {};
let firefox: FirefoxBrowser | undefined;
let chrome: ChromePage;
let ff: FirefoxPage;
const tmp = mkdtempSync(path.join(tmpdir(), 'tt-cross-'));

beforeAll(async () => {
  relay = await startRelay();
  chromeDir = mkdtempSync(path.join(tmpdir(), 'tt-chrome-'));
  firefoxDir = newFirefoxProfileDir();
  const context = await launchChromium(chromeDir);
  chromeClose = () => context.close();
  chrome = await openChromeSidePanel(context);
  // Firefox suspends its idle background page after IDLE_MS here (30 s by default), so the test
  // also sees it wake for requests and stay up while a pairing waits.
  firefox = await launchFirefox(firefoxDir, { backgroundIdleMs: IDLE_MS });
  ff = await openExtensionPage(firefox, 'sidepanel.html');
});

afterAll(async () => {
  await chromeClose();
  if (firefox?.connected) await firefox.close();
  await relay?.stop();
  for (const d of [chromeDir, firefoxDir, tmp]) if (d) rmSync(d, { recursive: true, force: true });
});

// ---- Chrome side (Playwright locators; vitest polls) ------------------------------------------

const cDrawer = (p: ChromePage) => p.locator('#sync-drawer');
const cItems = (p: ChromePage) => p.getByRole('list', { name: 'Todos' }).getByRole('listitem');

async function cAdd(p: ChromePage, title: string) {
  const box = p.getByRole('textbox', { name: 'New todo' });
  await box.fill(title);
  await box.press('Enter');
  await expect.poll(() => box.inputValue(), WAIT).toBe('');
}

async function cList(p: ChromePage): Promise<string[]> {
  const out: string[] = [];
  for (const item of await cItems(p).all()) {
    const title = (await item.innerText()).split('\n')[0]?.trim() ?? '';
    out.push(`${title}${(await item.getByRole('checkbox').isChecked()) ? ' ✓' : ''}`);
  }
  return out.sort();
}

async function cSetRelay(p: ChromePage, url: string) {
  await p.getByRole('button', { name: 'Settings' }).click();
  const box = p.getByRole('textbox', { name: 'Relay address' });
  await pollUntil(
    () => box.inputValue(),
    (v) => v !== '',
    'the relay address to load',
  );
  await box.fill(url);
  await cDrawer(p).getByRole('button', { name: 'Save' }).click();
  await p.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  await cDrawer(p).getByRole('button', { name: 'Close' }).click();
}

async function cStatus(p: ChromePage): Promise<string> {
  return (await cDrawer(p).getByRole('status').allInnerTexts()).join('\n');
}

async function cRename(p: ChromePage, from: string, to: string) {
  await p.getByRole('button', { name: `Edit ${from}` }).click();
  await p.getByRole('textbox', { name: 'Title' }).fill(to);
  await p.getByRole('button', { name: 'Save', exact: true }).click();
  await expect.poll(() => cList(p), WAIT).toContain(to);
}

// ---- Firefox side (puppeteer ARIA queries; bounded polls) -------------------------------------

async function fList(p: FirefoxPage): Promise<string[]> {
  const list = await p.$('aria/Todos[role="list"]');
  if (!list) return [];
  const out: string[] = [];
  for (const item of await list.$$('aria/[role="listitem"]')) {
    const text = await item.evaluate((el) => (el instanceof HTMLElement ? el.innerText : ''));
    const box = await item.$('aria/[role="checkbox"]');
    const done = box ? await box.evaluate((el) => el instanceof HTMLInputElement && el.checked) : false;
    out.push(`${text.split('\n')[0]?.trim() ?? ''}${done ? ' ✓' : ''}`);
  }
  return out.sort();
}

const backgroundRunning = (p: FirefoxPage) =>
  p.evaluate(() =>
    browser.extension.getViews().some((w) => w.location.pathname.endsWith('_generated_background_page.html')),
  );
/** When the keep-alive alarm fires next (it moves on each time it fires), or null without one. */
const keepAliveDue = (p: FirefoxPage) =>
  p.evaluate(async (name) => (await browser.alarms.get(name))?.scheduledTime ?? null, KEEP_ALIVE_ALARM);

const fBody = (p: FirefoxPage) => p.evaluate(() => document.body.innerText);

async function fSetRelay(p: FirefoxPage, url: string) {
  await clickUncovered(await byRole(p, 'Settings', 'button'), 'Settings');
  const box = await byRole(p, 'Relay address', 'textbox');
  await pollUntil(
    () => box.evaluate((el) => (el instanceof HTMLInputElement ? el.value : '')),
    (v) => v !== '',
    'the relay address to load',
  );
  await retype(p, box, url);
  await clickUncovered(await byRole(p, 'Save', 'button'), 'Save');
  await waitForText(p, 'Saved.');
  await clickUncovered(await byRole(p, 'Close', 'button'), 'Close');
}

async function fRename(p: FirefoxPage, from: string, to: string) {
  await clickUncovered(await byRole(p, `Edit ${from}`, 'button'), `Edit ${from}`);
  await retype(p, await byRole(p, 'Title', 'textbox'), to);
  await clickUncovered(await byRole(p, 'Save', 'button'), 'Save');
  await pollUntil(
    () => fList(p),
    (l) => l.includes(to),
    `“${to}” in the list`,
  );
}

async function fClick(p: FirefoxPage, name: string, role = 'button') {
  await clickUncovered(await byRole(p, name, role), name);
}

// ---- Sessions ---------------------------------------------------------------------------------

/** Both sides report the finished session, and their lists are the same and as expected. */
async function expectSession(expected: string[], counts?: { chrome: string; firefox: string }) {
  await expect.poll(() => cStatus(chrome), WAIT).toMatch(/Synced with Firefox on Linux · \w{4}\./);
  await pollUntil(
    () => fBody(ff),
    (b) => /Synced with Chrome on Linux · \w{4}\./.test(b),
    'Firefox to report the sync',
  );
  if (counts) {
    expect(await cStatus(chrome)).toContain(counts.chrome);
    expect(await fBody(ff)).toContain(counts.firefox);
  }
  const want = [...expected].sort();
  await expect.poll(() => cList(chrome), WAIT).toEqual(want);
  expect(
    await pollUntil(
      () => fList(ff),
      (l) => JSON.stringify(l) === JSON.stringify(want),
      'Firefox’s list',
    ),
  ).toEqual(want);
}

async function closeDrawers() {
  await cDrawer(chrome).getByRole('button', { name: 'Close' }).click();
  await fClick(ff, 'Close');
  await pollUntil(
    () => cStatus(chrome),
    (t) => !SYNCED.test(t),
    'Chrome’s drawer to close',
  );
  await pollUntil(
    () => fBody(ff),
    (b) => !SYNCED.test(b),
    'Firefox’s drawer to close',
  );
}

const linkIn = (text: string) => text.match(/http:\/\/127\.0\.0\.1:\d+\/p#\S+/)?.[0] ?? null;

async function chromeShowsLink(): Promise<string> {
  await chrome.getByRole('button', { name: 'Pair a device' }).click();
  await chrome.getByRole('img', { name: /QR/ }).waitFor();
  const link = await pollUntil(
    async () => linkIn(await cDrawer(chrome).innerText()),
    (l) => l !== null,
    'Chrome’s link',
  );
  if (!link) throw new Error('no link shown');
  return link;
}

async function firefoxShowsLink(): Promise<{ link: string; qrPng: Buffer }> {
  await fClick(ff, 'Pair a device');
  const img = await byName(ff, 'QR code of the pairing link');
  const src = await img.evaluate((el) => (el instanceof HTMLImageElement ? el.src : ''));
  const link = await pollUntil(
    async () => linkIn(await fBody(ff)),
    (l) => l !== null,
    'the link on Firefox',
  );
  if (!link || !src.startsWith('data:image/png;base64,'))
    throw new Error(`unexpected QR image ${src.slice(0, 40)}`);
  return { link, qrPng: Buffer.from(src.slice('data:image/png;base64,'.length), 'base64') };
}

/**
 * The file picker inside the label with this text. Firefox exposes a labelled file input as a
 * "Browse…" button whose name is not the label, so it is found through its visible label instead.
 */
async function fileInput(p: FirefoxPage, label: string): Promise<ElementHandle<HTMLInputElement>> {
  const h = await pollUntil(
    () => p.$(`::-p-text(${label})`),
    (x) => x !== null,
    label,
  );
  const input = await h?.evaluateHandle((el) => {
    const found = el.closest('label')?.querySelector('input[type="file"]');
    return found instanceof HTMLInputElement ? found : null;
  });
  const el = input?.asElement();
  if (!el) throw new Error(`no file input labelled ${label}`);
  // Checked just above: the handle is an <input>, which is what uploadFile's type asks for.
  return el as ElementHandle<HTMLInputElement>;
}

// Three sessions, live changes and a wait on Firefox's idle timer: about two minutes on a shared 2-core machine.
it(
  'a Chrome profile and a Firefox profile pair both ways, by link and by QR image, and converge',
  { timeout: 360_000 },
  async () => {
    await cSetRelay(chrome, relay.url);
    await fSetRelay(ff, relay.url);
    for (const t of ['Buy oat milk', 'Book dentist']) await cAdd(chrome, t);
    for (const t of ['Water the ferns', 'Call the bank']) await addTodo(ff, t);

    // 1. Chrome shows the link; Firefox pastes it.
    const link = await chromeShowsLink();
    expect(link.startsWith(`${relay.url}/p#`)).toBe(true);
    await fClick(ff, 'Join a device');
    await (await byRole(ff, 'Pairing link', 'textbox')).type(link);
    await fClick(ff, 'Join');
    await expectSession(['Buy oat milk', 'Book dentist', 'Water the ferns', 'Call the bank'], {
      chrome: 'Sent 2 todos, received 2 todos.',
      firefox: 'Sent 2 todos, received 2 todos.',
    });
    await closeDrawers();

    // Paired once, they are a circle: each change travels live, with no pairing and no click.
    await cRename(chrome, 'Book dentist', 'Book dentist for May');
    await pollUntil(
      () => fList(ff),
      (l) => l.includes('Book dentist for May'),
      'Chrome’s rename, live on Firefox',
    );
    await chrome.getByRole('checkbox', { name: 'Complete Water the ferns' }).check();
    await pollUntil(
      () => fList(ff),
      (l) => l.includes('Water the ferns ✓'),
      'Chrome’s completion, live on Firefox',
    );
    await fClick(ff, 'Delete Call the bank');
    await addTodo(ff, 'Fix bike');
    await expect
      .poll(() => cList(chrome), WAIT)
      .toEqual(['Book dentist for May', 'Buy oat milk', 'Fix bike', 'Water the ferns ✓']);
    await expect
      .poll(() => chrome.getByRole('status', { name: 'Sync status' }).innerText(), WAIT)
      .toBe('Synced');

    // Pairing again (already in one circle) still works, by every means.
    // 2. Firefox shows the QR; Chrome reads it from an image.
    const shown = await firefoxShowsLink();
    await chrome.getByRole('button', { name: 'Join a device' }).click();
    await chrome
      .getByLabel('Read QR from image')
      .setInputFiles({ name: 'qr.png', mimeType: 'image/png', buffer: shown.qrPng });
    await expectSession(['Buy oat milk', 'Book dentist for May', 'Water the ferns ✓', 'Fix bike']);
    await closeDrawers();

    await fRename(ff, 'Fix bike', 'Fix bike brakes');
    await cAdd(chrome, 'Pay rent');
    await chrome.getByRole('button', { name: 'Delete Buy oat milk' }).click();
    await pollUntil(
      () => cList(chrome),
      (l) => !l.includes('Buy oat milk'),
      'the delete in Chrome',
    );

    // 3. Chrome shows the QR; Firefox reads it from a screenshot file.
    await chromeShowsLink();
    const png = path.join(tmp, 'chrome-qr.png');
    writeFileSync(png, await chrome.getByRole('img', { name: /QR/ }).screenshot());
    await fClick(ff, 'Join a device');
    await (await fileInput(ff, 'Read QR from image')).uploadFile(png);
    await expectSession(['Book dentist for May', 'Water the ferns ✓', 'Fix bike brakes', 'Pay rent']);
    await closeDrawers();

    await fClick(ff, 'Complete Pay rent', 'checkbox');
    await cRename(chrome, 'Book dentist for May', 'Dentist on May 3');

    // 4. In a circle, Firefox keeps its background (and its circle socket) up past the idle timeout:
    // a change made after that still arrives live. Leaving the circle lets it idle out again.
    const firstDue = await pollUntil(
      () => keepAliveDue(ff),
      (t) => t !== null,
      'the keep-alive alarm',
    );
    const period = KEEP_ALIVE_PERIOD_MINUTES * 60_000;
    // `firings` of them span more than IDLE_MS.
    const firings = Math.floor(IDLE_MS / period) + 1;
    await pollUntil(
      () => keepAliveDue(ff),
      (t) => t !== null && firstDue !== null && t >= firstDue + firings * period - 1_000,
      `${firings} keep-alive firings`,
      800,
    );
    expect(await backgroundRunning(ff)).toBe(true);
    await cAdd(chrome, 'After the idle timeout');
    await pollUntil(
      () => fList(ff),
      (l) => l.includes('After the idle timeout'),
      'a live change after the idle timeout',
    );
    await fClick(ff, 'Devices');
    await fClick(ff, 'Leave this circle');
    await fClick(ff, 'Leave');
    await pollUntil(
      () => keepAliveDue(ff),
      (t) => t === null,
      'the keep-alive alarm to be cleared',
    );
    await pollUntil(
      () => backgroundRunning(ff),
      (running) => !running,
      'the background to idle out again',
      600,
    );
  },
);

// Issue 10: "Chrome ↔ Firefox ESR the same, over their restarts". The first test left the circle, so
// the two pair again, both browsers quit and start again on the same profiles, and changes still
// travel both ways by themselves.
it(
  'paired again, both browsers restart and every change still travels live both ways',
  { timeout: 300_000 },
  async () => {
    // The lists are already the same, so only the session's own result says the pairing is over
    // (closing the drawer before that cancels it).
    const before = await cList(chrome);
    const link = await chromeShowsLink();
    await fClick(ff, 'Join a device');
    await (await byRole(ff, 'Pairing link', 'textbox')).type(link);
    await fClick(ff, 'Join');
    await expectSession(before);
    await closeDrawers();
    // In one circle again: live before the restarts.
    await cAdd(chrome, 'Added in Chrome before the restarts');
    await pollUntil(
      () => fList(ff),
      (l) => l.includes('Added in Chrome before the restarts'),
      'Chrome’s todo, live on Firefox',
    );

    // Both browsers quit; each starts again on its own profile with nothing open but its list.
    await chromeClose();
    await firefox?.close();
    const context = await launchChromium(chromeDir);
    chromeClose = () => context.close();
    chrome = await openChromeSidePanel(context);
    firefox = await launchFirefox(firefoxDir, { backgroundIdleMs: IDLE_MS });
    ff = await openExtensionPage(firefox, 'sidepanel.html');
    await expect
      .poll(() => cList(chrome), WAIT)
      .toEqual([...before, 'Added in Chrome before the restarts'].sort());

    await cAdd(chrome, 'Added in Chrome after the restarts');
    await pollUntil(
      () => fList(ff),
      (l) => l.includes('Added in Chrome after the restarts'),
      'Chrome’s todo, live on Firefox after both restarted',
    );
    await addTodo(ff, 'Added in Firefox after the restarts');
    await fClick(ff, 'Complete Added in Firefox after the restarts', 'checkbox');
    await expect.poll(() => cList(chrome), WAIT).toContain('Added in Firefox after the restarts ✓');
    await cRename(chrome, 'Added in Chrome after the restarts', 'Renamed in Chrome after the restarts');
    await pollUntil(
      () => fList(ff),
      (l) =>
        l.includes('Renamed in Chrome after the restarts') &&
        !l.includes('Added in Chrome after the restarts'),
      'Chrome’s rename, live on Firefox',
    );
    expect(await fList(ff)).toEqual(await cList(chrome));
  },
);
