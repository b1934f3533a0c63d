/**
 * "Read QR from image" reads a degraded screenshot of the panel's QR that jsqr alone cannot: a 35 %
 * screenshot of a dim, washed-out screen. The image is made from the live panel's QR, checked in
 * Node to be one jsqr alone misses, and given to the other profile's file input.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeQr, decodeQrStill } from '../../lib/qr/qr-decode';
import { startRelay, type RelayProcess } from '../../scripts/relay-process.mjs';
import { degrade, DEGRADATIONS } from '../fixtures/qr/degrade';
import { readPng } from '../fixtures/qr/read-png';
import { addTodo, expect, test, todoItem } from './fixtures';
import { decodeInPage, drawer, openProfile, qrImage, setRelay } from './sync-ui';

let relay: RelayProcess;

test.beforeAll(async () => {
  test.setTimeout(90_000);
  relay = await startRelay();
});
test.afterAll(async () => {
  await relay?.stop();
});

test('joins from a 35 % low-contrast screenshot of the QR, which jsqr alone cannot read', async () => {
  test.setTimeout(120_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'tt-qr-image-'));
  const a = await openProfile();
  const b = await openProfile();
  try {
    for (const p of [a, b]) await setRelay(p.panel, relay.url);
    await addTodo(a.panel, 'From A');

    await a.panel.getByRole('button', { name: 'Pair a device' }).click();
    await expect(qrImage(a.panel)).toBeVisible();
    const link = await decodeInPage(qrImage(a.panel));
    // A screenshot of the panel around the QR (32 px of it on each side), then degraded.
    const box = (await qrImage(a.panel).boundingBox())!;
    const around = await a.panel.screenshot({
      clip: { x: box.x - 32, y: box.y - 32, width: box.width + 64, height: box.height + 64 },
    });
    const shot = await degrade(around, DEGRADATIONS['low-contrast-35']!);
    const file = path.join(dir, 'dim-screenshot.png');
    writeFileSync(file, shot);
    expect(decodeQr(readPng(file))).toBeNull();
    expect(decodeQrStill(readPng(file))).toBe(link);

    await b.panel.getByRole('button', { name: 'Join a device' }).click();
    await drawer(b.panel).getByLabel('Read QR from image').setInputFiles(file);
    await expect(todoItem(b.panel, 'From A')).toBeVisible({ timeout: 30_000 });
  } finally {
    await Promise.all([a.close(), b.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
});
