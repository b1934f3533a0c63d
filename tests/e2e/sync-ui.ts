/**
 * Driving the side panel's sync views as a person would (by role and name), shared by the pairing,
 * three-profile and phone suites.
 */
import { expect, type Locator, type Page } from '@playwright/test';
import jsQR from 'jsqr';

export const drawer = (panel: Page) => panel.locator('#sync-drawer');
export const qrImage = (panel: Page) => drawer(panel).getByRole('img', { name: /QR/ });

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
