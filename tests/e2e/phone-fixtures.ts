/**
 * Phone companion fixtures: the app built into relay/public and served by a real relay (wrangler dev
 * on workerd, loopback, free port), and a Chromium context emulating a phone (Pixel 7: 412 px wide,
 * touch, mobile viewport). Built once per worker so every spec tests the current source.
 * TT_PHONE_OUT_DIR builds the app into, and serves it from, another directory than relay/public, so
 * two runs on one machine do not rebuild (and so reload) each other's relay.
 */
import {
  chromium,
  devices,
  test as base,
  type Browser,
  type BrowserContext,
  type Page,
} from '@playwright/test';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { startRelay } from '../../scripts/relay-process.mjs';
import type { RelayProcess } from '../../scripts/relay-process.d.mts';
import { CHROMIUM, expect } from './fixtures';

const ROOT = path.resolve(import.meta.dirname, '../..');

const PHONE_OUT_DIR = process.env.TT_PHONE_OUT_DIR;

export function buildPhoneApp(): void {
  const vite = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const r = spawnSync(
    process.execPath,
    [vite, 'build', '--config', 'relay/app/vite.config.ts', '--logLevel', 'warn'],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`phone build failed:\n${r.stdout}\n${r.stderr}`);
}

export const PHONE = devices['Pixel 7'];

type WorkerFixtures = { relay: RelayProcess; phoneBrowser: Browser };
type Fixtures = { phone: BrowserContext };

export const test = base.extend<Fixtures, WorkerFixtures>({
  relay: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      buildPhoneApp();
      const relay = await startRelay({ assetsDir: PHONE_OUT_DIR });
      await use(relay);
      await relay.stop();
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  phoneBrowser: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
        ],
      });
      await use(browser);
      await browser.close();
    },
    { scope: 'worker' },
  ],
  phone: async ({ phoneBrowser }, use) => {
    const context = await phoneBrowser.newContext({ ...PHONE });
    await use(context);
    await context.close();
  },
});

/** Opens `url` on the phone and waits until the list has loaded from the phone's own database. */
export async function openPhone(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

/** Resolves once the app's service worker controls the page, so a reload can be served offline. */
export async function waitForOfflineShell(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (navigator.serviceWorker.controller) return;
    await new Promise<void>((resolve) =>
      navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }),
    );
  });
}

export { decodeInPage, drawer, qrImage, setRelay } from './sync-ui';
export { expect };
