/**
 * Driving the side panel's sync views as a person would (by role and name), shared by the pairing,
 * three-profile and phone suites.
 */
import { expect, type Locator, type Page } from '@playwright/test';
import jsQR from 'jsqr';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { BrowserContext } from '@playwright/test';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchWithExtension, newProfileDir, openSidePanel, sendRequest } from './fixtures';

export const drawer = (panel: Page) => panel.locator('#sync-drawer');
export const qrImage = (panel: Page) => drawer(panel).getByRole('img', { name: /QR/ });

/** A Chromium profile with the built extension and its side panel open as a tab. */
export interface Profile {
  context: BrowserContext;
  panel: Page;
  /** How the other devices list this one (lib/sync/device-label.ts). */
  label: string;
  close(): Promise<void>;
}

/**
 * Opens a profile on `dir` (a fresh one by default); `keep` leaves its directory for a relaunch;
 * `place` sets the pages' time zone and locale.
 */
export async function openProfile(
  dir = newProfileDir(),
  keep = false,
  place: { timezoneId?: string; locale?: string } = {},
): Promise<Profile> {
  const context = await launchWithExtension(dir, place);
  const panel = await openSidePanel(context);
  await expect(panel.getByRole('textbox', { name: 'New todo' })).toBeVisible();
  return {
    context,
    panel,
    label: await deskLabel(panel),
    async close() {
      await context.close();
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** "Join a device" with a pasted link, as a person would. */
export async function joinByLink(panel: Page, link: string) {
  await panel.getByRole('button', { name: 'Join a device' }).click();
  await panel.getByRole('textbox', { name: 'Pairing link' }).fill(link);
  await panel.getByRole('button', { name: 'Join', exact: true }).click();
}

/** How other devices list this extension profile (lib/sync/device-label.ts). */
export async function deskLabel(panel: Page): Promise<string> {
  // The first answer can be a "not ready" one on a loaded machine (the worker still opening): ask again.
  let id = '';
  await expect
    .poll(
      async () => {
        const r = (await sendRequest(panel, { kind: 'db.status' })) as
          { data?: { deviceId?: string } } | undefined;
        id = r?.data?.deviceId ?? '';
        return id;
      },
      { timeout: 30_000 },
    )
    .not.toBe('');
  return `Chrome on Linux · ${id.slice(0, 4)}`;
}

/**
 * The session's device list (in the side panel's drawer, or on the phone) names exactly these
 * devices, each fully synced.
 */
export async function expectSyncedWith(scope: Page | Locator, labels: string[]) {
  const devices = scope.getByRole('list', { name: 'Devices in this session' });
  for (const label of labels)
    await expect(devices.getByRole('listitem').filter({ hasText: `${label}: synced` })).toHaveCount(1, {
      timeout: 30_000,
    });
  await expect(devices.getByRole('listitem')).toHaveCount(labels.length);
  for (const bar of await devices.getByRole('progressbar').all())
    await expect(bar).toHaveJSProperty('value', 100);
}

/** Points the extension at the test relay through its Settings view, as a user would. */
export async function setRelay(panel: Page, url: string) {
  await panel.getByRole('button', { name: 'Settings' }).click();
  const box = panel.getByRole('textbox', { name: 'Relay address' });
  await expect(box).not.toHaveValue('');
  await box.fill(url);
  await drawer(panel).getByRole('button', { name: 'Save' }).click();
  await expect(panel.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await drawer(panel).getByRole('button', { name: 'Close' }).click();
}

/** jsqr on the image's own pixels, drawn to a canvas in the page (proves the QR itself decodes). */
export async function decodeInPage(image: Locator): Promise<string> {
  const pixels = await image.evaluate(async (img: HTMLImageElement) => {
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2d context');
    ctx.drawImage(img, 0, 0);
    const { data, width, height } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    return { data: Array.from(data), width, height };
  });
  const code = jsQR(Uint8ClampedArray.from(pixels.data), pixels.width, pixels.height);
  if (!code) throw new Error('jsqr finds no QR in the image on the page');
  return code.data;
}

/**
 * Every QR code Debian's zbarimg (an independent decoder, as phone scanners use) finds in a PNG, one
 * per line. Only the QR symbology is on: with all of them, ZBar now and then reads a stray linear
 * barcode (a "D-6A") out of the QR's modules.
 */
export function decodeWithZbar(png: Buffer): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'tt-qr-'));
  try {
    const file = path.join(dir, 'qr.png');
    writeFileSync(file, png);
    const out = execFileSync('zbarimg', ['--quiet', '--raw', '-Sdisable', '-Sqrcode.enable', file], {
      encoding: 'utf8',
      // zbar asks for D-Bus, which a container has not; its complaint is noise.
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.split('\n').filter((line) => line !== '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Pairs two profiles once through the UI (A shows its link, B joins) and waits until each says
 * "Synced with" the other; closes both drawers. From then on they are in one circle.
 */
export async function pairOnce(a: Profile, b: Profile, { timeout = 30_000 } = {}) {
  const link = await showPairingLink(a.panel);
  await joinByLink(b.panel, link);
  for (const [p, other] of [
    [a, b],
    [b, a],
  ] as const)
    await expect(p.panel.getByRole('status').filter({ hasText: `Synced with ${other.label}.` })).toBeVisible({
      timeout,
    });
  for (const p of [a, b]) await drawer(p.panel).getByRole('button', { name: 'Close' }).click();
}

/** Opens "Pair a device" in the side panel and reads the pairing link it shows. */
export async function showPairingLink(panel: Page): Promise<string> {
  await panel.getByRole('button', { name: 'Pair a device' }).click();
  return (
    (
      await drawer(panel)
        .getByText(/\/p(air)?#/)
        .textContent()
    )?.trim() ?? ''
  );
}
