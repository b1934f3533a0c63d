/**
 * The Chrome half of the cross-browser tests: Debian Chromium with the Chrome test build, launched
 * with playwright-core the same way as tests/e2e/fixtures.ts (that module is a Playwright Test
 * fixture file, so vitest cannot import it).
 */
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import path from 'node:path';
import { CHROME_EXTENSION_ID } from '../../lib/extension-identity';

export const CHROME_EXTENSION_DIR = path.resolve(process.env.TT_EXTENSION_DIR ?? '.output/chrome-mv3-test');
export const CHROMIUM = process.env.TT_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(profileDir: string): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      `--disable-extensions-except=${CHROME_EXTENSION_DIR}`,
      `--load-extension=${CHROME_EXTENSION_DIR}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
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

export async function openChromeSidePanel(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`chrome-extension://${CHROME_EXTENSION_ID}/sidepanel.html`);
  await page.getByRole('textbox', { name: 'New todo' }).waitFor();
  return page;
}
