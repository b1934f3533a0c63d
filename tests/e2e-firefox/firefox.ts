/**
 * Debian Firefox ESR driven by puppeteer-core over WebDriver BiDi, with the Firefox test build
 * (`wxt build -b firefox --mode test`) installed as a temporary add-on. The add-on UUID is pinned by
 * pref so its pages have fixed moz-extension:// URLs and its OPFS origin survives a restart on the
 * same profile. Quirk (PLATFORM-NOTES.md): navigations to moz-extension:// pages never resolve, so
 * pages are opened without awaiting `goto` and everything is polled with `page.evaluate`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { FIREFOX_TEST_UUID, GECKO_ID } from '../../lib/extension-identity';

export const FIREFOX_EXTENSION_DIR = path.resolve(
  process.env.TT_FIREFOX_EXTENSION_DIR ?? '.output/firefox-mv3-test',
);
export const FIREFOX = process.env.TT_FIREFOX ?? '/usr/bin/firefox-esr';

export function newFirefoxProfileDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'tt-firefox-'));
}

export interface LaunchOptions {
  /** Milliseconds before Firefox suspends the idle background page (Firefox's default is 30 s). */
  backgroundIdleMs?: number;
  /** Save every download into this directory without asking (Firefox's own download prefs). */
  downloadDir?: string;
}

export async function launchFirefox(profileDir: string, opts: LaunchOptions = {}): Promise<Browser> {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    userDataDir: profileDir,
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: FIREFOX_TEST_UUID }),
      // A temporary add-on is uninstalled when Firefox quits; these keep its data and origin.
      'extensions.webextensions.keepStorageOnUninstall': true,
      'extensions.webextensions.keepUuidOnUninstall': true,
      ...(opts.backgroundIdleMs === undefined
        ? {}
        : { 'extensions.background.idle.timeout': opts.backgroundIdleMs }),
      ...(opts.downloadDir === undefined
        ? {}
        : {
            'browser.download.folderList': 2,
            'browser.download.dir': opts.downloadDir,
            'browser.download.useDownloadDir': true,
            'browser.download.always_ask_before_handling_new_types': false,
            'browser.download.start_downloads_in_tmp_dir': false,
          }),
    },
  });
  try {
    const id = await browser.installExtension(FIREFOX_EXTENSION_DIR);
    if (id !== GECKO_ID) throw new Error(`add-on id ${id}, expected ${GECKO_ID}: is the gecko id set?`);
  } catch (e) {
    await browser.close();
    throw e;
  }
  return browser;
}

export const firefoxExtensionUrl = (page: string) => `moz-extension://${FIREFOX_TEST_UUID}/${page}`;

/** Opens an extension page in a new tab and waits until its app has rendered. */
export async function openExtensionPage(
  browser: Browser,
  file: 'popup.html' | 'sidepanel.html',
): Promise<Page> {
  const page = await browser.newPage();
  // Never resolves for moz-extension:// (see above); failures show up as the poll below timing out.
  page.goto(firefoxExtensionUrl(file)).catch(() => {});
  await pollUntil(
    () => page.evaluate(() => document.querySelector('#app')?.childElementCount ?? 0),
    (n) => n > 0,
    `${file} to render`,
  );
  return page;
}

/**
 * Polls `read` until `done` holds. Bounded by attempts, not by a test clock: each attempt is one
 * round trip to Firefox, and the fixed pause only keeps the loop from spinning the shared CPUs.
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  attempts = 300,
): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < attempts; i++) {
    try {
      last = await read();
      if (done(last)) return last;
    } catch {
      // The page may be mid-navigation; the next attempt reads again.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what} (last value: ${JSON.stringify(last)})`);
}
