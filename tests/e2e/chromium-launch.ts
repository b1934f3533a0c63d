/**
 * The one recipe for Debian Chromium with the built extension (PLATFORM-NOTES.md "Chrome (MV3)").
 * A plain module, not a Playwright Test fixture file, so the vitest-driven cross-browser suite can
 * import it too.
 */
import { chromium, type BrowserContext } from 'playwright-core';
import path from 'node:path';
import { CHROME_EXTENSION_ID } from '../../lib/extension-identity';

export const EXTENSION_DIR = path.resolve(process.env.TT_EXTENSION_DIR ?? '.output/chrome-mv3-test');
export const CHROMIUM = process.env.TT_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Launches Chromium on `profileDir` with the extension and waits for its service worker.
 * `timezoneId` and `locale` emulate another place for the extension's pages (Playwright applies them
 * to pages, not to the service worker or the offscreen document's DB worker).
 */
export async function launchWithExtension(
  profileDir: string,
  opts: { extraArgs?: string[]; timezoneId?: string; locale?: string } = {},
): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    timezoneId: opts.timezoneId,
    locale: opts.locale,
    args: [
      `--disable-extensions-except=${EXTENSION_DIR}`,
      `--load-extension=${EXTENSION_DIR}`,
      '--no-sandbox',
      '--disable-gpu',
      // Without these Chromium dials Google hosts, refused here by the closed network.
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...(opts.extraArgs ?? []),
    ],
  });
  const sw = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  const id = new URL(sw.url()).host;
  if (id !== CHROME_EXTENSION_ID) {
    await context.close();
    throw new Error(`extension id ${id}, expected ${CHROME_EXTENSION_ID}: is the manifest key set?`);
  }
  return context;
}
