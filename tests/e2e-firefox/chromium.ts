/**
 * The Chrome half of the cross-browser tests: Debian Chromium with the Chrome test build, launched
 * by the same recipe as the Chromium suite (tests/e2e/chromium-launch.ts).
 */
import type { BrowserContext, Page } from 'playwright-core';
import { CHROME_EXTENSION_ID } from '../../lib/extension-identity';

export { EXTENSION_DIR as CHROME_EXTENSION_DIR, CHROMIUM } from '../e2e/chromium-launch';
export { launchWithExtension as launchChromium } from '../e2e/chromium-launch';

export async function openChromeSidePanel(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`chrome-extension://${CHROME_EXTENSION_ID}/sidepanel.html`);
  await page.getByRole('textbox', { name: 'New todo' }).waitFor();
  return page;
}
