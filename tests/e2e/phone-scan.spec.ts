import { chromium } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  addTodo,
  CHROMIUM,
  launchWithExtension,
  newProfileDir,
  openSidePanel,
  todoItem,
  todoList,
} from './fixtures';
import { writeQrClip } from './phone-camera';
import { decodeInPage, drawer, expect, openPhone, PHONE, qrImage, setRelay, test } from './phone-fixtures';

test('the phone scans a new QR with its own camera, then shows its own QR for the computer to join', async ({
  relay,
}) => {
  const dir = newProfileDir();
  const clipDir = mkdtempSync(path.join(tmpdir(), 'tt-camera-'));
  const extension = await launchWithExtension(dir);
  const panel = await openSidePanel(extension);
  await setRelay(panel, relay.url);
  await addTodo(panel, 'Desk: one');
  await panel.getByRole('button', { name: 'Pair a device' }).click();
  await expect(qrImage(panel)).toBeVisible();
  const link = await decodeInPage(qrImage(panel));

  // The phone's camera sees the panel's QR: Chromium plays this clip as the camera.
  const clip = path.join(clipDir, 'qr.y4m');
  writeQrClip(clip, link);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${clip}`,
    ],
  });
  try {
    const phone = await browser.newContext({ ...PHONE, permissions: ['camera'] });
    const mobile = await openPhone(phone, relay.url);
    await addTodo(mobile, 'Phone: one');
    await mobile.getByRole('button', { name: 'Scan QR' }).tap();
    await mobile.getByRole('button', { name: 'Scan with camera' }).tap();
    await expect(
      mobile.getByRole('status').filter({ hasText: /^\s*Synced with Chrome on Linux/ }),
    ).toBeVisible({
      timeout: 20_000,
    });
    await mobile.getByRole('button', { name: 'My list' }).tap();
    await expect(todoItem(mobile, 'Desk: one')).toBeVisible();
    await expect(todoItem(panel, 'Phone: one')).toBeVisible();

    // The other way round: the phone shows its link, the computer joins it.
    await addTodo(mobile, 'Phone: two');
    await mobile.getByRole('button', { name: 'Show my QR' }).tap();
    await expect(mobile.getByRole('img', { name: /QR/ })).toBeVisible();
    const phoneLink = await decodeInPage(mobile.getByRole('img', { name: /QR/ }));
    expect(phoneLink.startsWith(`${relay.url}/p#`)).toBe(true);
    await panel.getByRole('button', { name: 'Join a device' }).click();
    await drawer(panel).getByRole('textbox', { name: 'Pairing link' }).fill(phoneLink);
    await drawer(panel).getByRole('button', { name: 'Join', exact: true }).click();
    await expect(todoItem(panel, 'Phone: two')).toBeVisible({ timeout: 20_000 });
    await expect(todoList(panel).getByRole('listitem')).toHaveCount(3);
    await expect(
      mobile.getByRole('status').filter({ hasText: /^\s*Synced with Chrome on Linux/ }),
    ).toBeVisible();
  } finally {
    await browser.close();
    await extension.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(clipDir, { recursive: true, force: true });
  }
});
