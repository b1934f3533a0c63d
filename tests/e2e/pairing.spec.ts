/**
 * Pairing and end-to-end encrypted sync between two Chromium profiles with the built extension,
 * through the real relay (wrangler dev on loopback) and a wiretap in front of it. The relay address
 * is set in Settings through the UI, so one test build serves every run.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newDeviceId } from '../../lib/model/ids';
import { createPairingLink, parsePairingLink } from '../../lib/pairing/pairing-link';
import { freePort, startRelay, type RelayProcess } from '../../scripts/relay-process.mjs';
import { writeQrClip } from './phone-camera';
import {
  extensionUrl,
  sendRequest,
  addTodo,
  editTitle,
  clickMoreAction,
  expect,
  launchWithExtension,
  newProfileDir,
  openSidePanel,
  test,
  todoItem,
  todoList,
} from './fixtures';
import { decodeInPage, decodeWithZbar, drawer, openProfile, qrImage, setRelay } from './sync-ui';
import { startWiretap } from './wiretap';

let relay: RelayProcess;

test.beforeAll(async () => {
  test.setTimeout(90_000);
  relay = await startRelay();
});
test.afterAll(async () => {
  await relay?.stop();
});

/** The shown QR, decoded from its pixels in the page. */
async function readQr(panel: Page): Promise<string> {
  await expect(qrImage(panel)).toBeVisible();
  return decodeInPage(qrImage(panel));
}

async function pair(panel: Page): Promise<string> {
  await panel.getByRole('button', { name: 'Pair a device' }).click();
  await expect(panel.getByText(/Link expires in [45]:\d\d/)).toBeVisible();
  const link = await readQr(panel);
  // The QR carries exactly the link shown as text.
  await expect(drawer(panel).getByText(link, { exact: true })).toBeVisible();
  return link;
}

async function expectSynced(panel: Page) {
  await expect(
    panel.getByRole('status').filter({ hasText: /^\s*Synced with Chrome on Linux · \w{4}\./ }),
  ).toBeVisible({
    timeout: 20_000,
  });
  await expect(panel.getByRole('progressbar', { name: 'Sync progress' })).toHaveAttribute(
    'aria-valuenow',
    '100',
  );
}

async function expectList(panel: Page, open: string[], done: string[], gone: string[]) {
  for (const t of [...open, ...done]) await expect(todoItem(panel, t)).toBeVisible();
  for (const t of open) await expect(todoItem(panel, t).getByRole('checkbox')).not.toBeChecked();
  for (const t of done) await expect(todoItem(panel, t).getByRole('checkbox')).toBeChecked();
  for (const t of gone) await expect(todoItem(panel, t)).toHaveCount(0);
  await expect(todoList(panel).getByRole('listitem')).toHaveCount(open.length + done.length);
}

const complete = (panel: Page, title: string) =>
  todoItem(panel, title)
    .getByRole('checkbox', { name: `Complete ${title}` })
    .check();
async function remove(panel: Page, title: string) {
  await todoItem(panel, title)
    .getByRole('button', { name: `Delete ${title}` })
    .click();
  await expect(todoItem(panel, title)).toHaveCount(0);
}

test('two profiles pair by pasted link and then by a QR image; every change travels and the relay sees no title', async () => {
  test.setTimeout(180_000);
  const tap = await startWiretap({ host: '127.0.0.1', port: relay.port });
  const [a, b] = await Promise.all([openProfile(), openProfile()]);
  try {
    for (const p of [a, b]) await setRelay(p.panel, tap.url);
    for (const t of ['Buy oat milk', 'Book dentist', 'Renew passport']) await addTodo(a.panel, t);
    for (const t of ['Water the ferns', 'Call the bank']) await addTodo(b.panel, t);

    // First session: B pastes the link.
    const link = await pair(a.panel);
    expect(link.startsWith(`${tap.url}/p#`)).toBe(true);
    await b.panel.getByRole('button', { name: 'Join a device' }).click();
    await b.panel.getByRole('textbox', { name: 'Pairing link' }).fill(link);
    await b.panel.getByRole('button', { name: 'Join', exact: true }).click();
    for (const p of [a, b]) await expectSynced(p.panel);
    await expect(
      a.panel.getByRole('status').filter({ hasText: 'Sent 3 todos, received 2 todos.' }),
    ).toBeVisible();
    await expect(
      b.panel.getByRole('status').filter({ hasText: 'Sent 2 todos, received 3 todos.' }),
    ).toBeVisible();
    const all = ['Buy oat milk', 'Book dentist', 'Renew passport', 'Water the ferns', 'Call the bank'];
    for (const p of [a, b]) await expectList(p.panel, all, [], []);
    for (const p of [a, b]) await drawer(p.panel).getByRole('button', { name: 'Close' }).click();

    // Paired, they are a circle and would sync every change live. Both leave it, to be apart.
    for (const p of [a, b]) {
      await p.panel.getByRole('button', { name: 'Devices' }).click();
      await p.panel.getByRole('button', { name: 'Leave this circle' }).click();
      await p.panel.getByRole('button', { name: 'Leave', exact: true }).click();
      await expect(p.panel.getByRole('status', { name: 'Sync status' })).toHaveText(
        /^Not synced: pair a device/,
      );
      await drawer(p.panel).getByRole('button', { name: 'Close' }).click();
    }

    // Both sides edit, complete, delete and add while apart, including two fields of one todo.
    await editTitle(a.panel, 'Water the ferns', 'Water the ferns and cactus');
    await complete(a.panel, 'Buy oat milk');
    await remove(a.panel, 'Call the bank');
    await addTodo(a.panel, 'Pay rent');
    await editTitle(b.panel, 'Book dentist', 'Book dentist for May');
    await complete(b.panel, 'Water the ferns');
    await remove(b.panel, 'Renew passport');
    await addTodo(b.panel, 'Fix bike');

    // Second session: B reads the QR from an image file (a screenshot of A's QR).
    const second = await pair(a.panel);
    const png = await qrImage(a.panel).screenshot();
    // A second, independent decoder (ZBar, as many phone scanners use) reads the same screenshot.
    expect(decodeWithZbar(png)).toEqual([second]);
    await b.panel.getByRole('button', { name: 'Join a device' }).click();
    await b.panel
      .getByLabel('Read QR from image')
      .setInputFiles({ name: 'qr.png', mimeType: 'image/png', buffer: png });
    for (const p of [a, b]) await expectSynced(p.panel);
    for (const p of [a, b])
      await expectList(
        p.panel,
        ['Book dentist for May', 'Pay rent', 'Fix bike'],
        ['Buy oat milk', 'Water the ferns and cactus'],
        ['Call the bank', 'Renew passport', 'Water the ferns', 'Book dentist'],
      );

    // History on both sides.
    await clickMoreAction(a.panel, 'Sync history');
    const rows = a.panel.getByRole('table', { name: 'Sync history' }).getByRole('row');
    // Both pairings, and the circles' own rounds after each.
    await expect(rows.filter({ hasText: 'Success' }).filter({ hasText: b.label })).not.toHaveCount(0);
    await expect(rows.filter({ hasText: /Partial|Failed/ })).toHaveCount(0);

    // The wiretap saw the device frames (a JSON control frame in plain text, so it can read text)
    // but never a title, in them or in the binary frames that carry rows (protocol 7).
    expect(tap.streams.filter((s) => s.direction === 'from-relay').length).toBeGreaterThan(0);
    expect(tap.saw('"type":"SYNC_ACK"')).toBe(true);
    for (const title of [
      ...all,
      'Water the ferns and cactus',
      'Pay rent',
      'Fix bike',
      'Book dentist for May',
    ])
      expect(tap.saw(title), title).toBe(false);
  } finally {
    await Promise.all([a.close(), b.close()]);
    await tap.close();
  }
});

test('the other device vanishing mid-sync is explained; when it is back the circle finishes with nothing lost or doubled', async () => {
  test.setTimeout(240_000);
  const SEEDED = 20_000;
  const tap = await startWiretap({ host: '127.0.0.1', port: relay.port });
  const aDir = newProfileDir();
  let a = await openProfile(aDir, true);
  const b = await openProfile();
  try {
    for (const p of [a, b]) await setRelay(p.panel, tap.url);
    expect(await sendRequest(a.panel, { kind: 'dev.seed', count: SEEDED })).toMatchObject({ ok: true });
    await expect(a.panel.getByRole('radio', { name: /All/ })).toHaveAccessibleName(`All (${SEEDED})`);
    const status = await sendRequest(a.panel, { kind: 'db.status' });
    const aId = (status as { data: { deviceId: string } }).data.deviceId;
    // A's socket gets 150 kB through to the relay, then stalls: about a third of what its 20,000
    // seeded rows take on the wire since protocol 7 (binary, deflated batches: ~20 B a row).
    tap.choke((head) => head.includes(`_pk=${aId}`), 150_000);

    const link = await pair(a.panel);
    await b.panel.getByRole('button', { name: 'Join a device' }).click();
    await b.panel.getByRole('textbox', { name: 'Pairing link' }).fill(link);
    await b.panel.getByRole('button', { name: 'Join', exact: true }).click();
    await expect(b.panel.getByRole('progressbar', { name: 'Sync progress' })).toHaveAttribute(
      'aria-valuenow',
      /^[1-9]\d?$/,
      { timeout: 30_000 },
    );
    await a.close();
    await expect(drawer(b.panel).getByRole('alert')).toHaveText(/left before the sync finished/, {
      timeout: 20_000,
    });
    const partial = (await sendRequest(b.panel, { kind: 'db.status' })) as { data: { todoCount: number } };
    expect(partial.data.todoCount).toBeGreaterThan(0);
    expect(partial.data.todoCount).toBeLessThan(SEEDED);

    // A comes back (same profile). The pairing handed B the circle before the rows, so the two meet
    // in the circle's room and finish the sync by themselves: no new link, no click.
    tap.choke(() => false, 0);
    a = await openProfile(aDir);
    await expect(b.panel.getByRole('radio', { name: /All/ })).toHaveAccessibleName(`All (${SEEDED})`, {
      timeout: 120_000,
    });
    expect(await sendRequest(b.panel, { kind: 'db.status' })).toMatchObject({ data: { todoCount: SEEDED } });
    await expect(b.panel.getByRole('status', { name: 'Sync status' })).toHaveText('Synced');

    await drawer(b.panel).getByRole('button', { name: 'Close' }).click();
    await clickMoreAction(b.panel, 'Sync history');
    const rows = b.panel.getByRole('table', { name: 'Sync history' }).getByRole('row');
    await expect(rows.nth(1)).toContainText('Success');
    await expect(rows.filter({ hasText: /Partial: .*left before the sync finished/ })).not.toHaveCount(0);
  } finally {
    await Promise.all([a.close(), b.close()]);
    rmSync(aDir, { recursive: true, force: true });
    await tap.close();
  }
});

/** Pastes an image into the page as a screenshot paste would (a ClipboardEvent carrying a PNG file). */
async function pasteImage(page: Page, png: Buffer) {
  await page.getByRole('textbox', { name: 'Pairing link' }).evaluate((el, b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], 'screenshot.png', { type: 'image/png' }));
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, png.toString('base64'));
}

test('a link one device used is refused on a third (keyboard on one, pasted screenshot on the other)', async () => {
  test.setTimeout(120_000);
  const [a, b, c] = await Promise.all([openProfile(), openProfile(), openProfile()]);
  try {
    for (const p of [a, b, c]) await setRelay(p.panel, relay.url);
    await addTodo(a.panel, 'Only for B');
    const link = await pair(a.panel);
    const screenshot = await qrImage(a.panel).screenshot();

    await b.panel.getByRole('button', { name: 'Join a device' }).focus();
    await b.panel.keyboard.press('Enter');
    await expect(b.panel.getByRole('heading', { name: 'Join a device' })).toBeFocused();
    await b.panel.keyboard.press('Tab'); // Close
    await b.panel.keyboard.press('Tab');
    await expect(b.panel.getByRole('textbox', { name: 'Pairing link' })).toBeFocused();
    await b.panel.keyboard.insertText(link);
    await b.panel.keyboard.press('Enter');
    await expectSynced(b.panel);
    await expect(todoItem(b.panel, 'Only for B')).toBeVisible();

    await c.panel.getByRole('button', { name: 'Join a device' }).click();
    await pasteImage(c.panel, screenshot);
    await expect(drawer(c.panel).getByRole('alert')).toHaveText(/already used by another device/);
    await expect(drawer(c.panel).getByRole('button', { name: 'Try again' })).toBeVisible();
    await expect(c.panel.getByText('No todos yet')).toBeVisible();
  } finally {
    await Promise.all([a.close(), b.close(), c.close()]);
  }
});

test('joins by pointing a camera at the QR', async () => {
  test.setTimeout(120_000);
  const a = await openProfile();
  const bDir = newProfileDir();
  const clip = path.join(tmpdir(), `tt-qr-${process.pid}.y4m`);
  let b: BrowserContext | null = null;
  try {
    await setRelay(a.panel, relay.url);
    await addTodo(a.panel, 'Seen by the camera');
    const link = await pair(a.panel);
    // Chromium plays this clip of A's QR as B's camera.
    writeQrClip(clip, link);
    b = await launchWithExtension(bDir, {
      extraArgs: [
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-video-capture=${clip}`,
      ],
    });
    const panel = await openSidePanel(b);
    await panel.getByRole('button', { name: 'Join a device' }).click();
    await panel.getByRole('button', { name: 'Scan with camera' }).click();
    await expectSynced(panel);
    await expect(todoItem(panel, 'Seen by the camera')).toBeVisible();
  } finally {
    await b?.close();
    await a.close();
    rmSync(bDir, { recursive: true, force: true });
    rmSync(clip, { force: true });
  }
});

test('says so when there is no camera to scan with', async ({ context }) => {
  const panel = await openSidePanel(context);
  await panel.getByRole('button', { name: 'Join a device' }).click();
  await panel.getByRole('button', { name: 'Scan with camera' }).click();
  await expect(drawer(panel).getByRole('alert')).toHaveText(
    /(No camera was found|Camera access was not allowed|camera could not be started)\. Paste the link/,
  );
  await expect(panel.getByRole('button', { name: 'Scan with camera' })).toBeVisible();
});

test('a shown link can be copied, counts down and, once expired, offers a new one', async ({ context }) => {
  const panel = await context.newPage();
  // The page's clock only: the countdown runs on it, while the worker keeps real time.
  await panel.clock.install();
  await panel.goto(extensionUrl('sidepanel.html'));
  await setRelay(panel, relay.url);
  const first = await pair(panel);
  await panel.getByRole('button', { name: 'Copy link' }).click();
  await expect(panel.getByRole('status').filter({ hasText: 'Link copied.' })).toBeVisible();
  // What was copied is what a user's paste gets.
  const box = panel.getByRole('textbox', { name: 'New todo' });
  await box.focus();
  await panel.keyboard.press('ControlOrMeta+V');
  await expect(box).toHaveValue(first);
  await box.fill('');
  await panel.clock.fastForward('02:00');
  await expect(panel.getByText(/Link expires in [23]:\d\d/)).toBeVisible();
  await panel.clock.fastForward('03:01');
  await expect(drawer(panel).getByRole('alert')).toHaveText(/This link has expired/);
  await expect(qrImage(panel)).toHaveCount(0);
  // Back to real time (the worker's), as if those five minutes had passed for both.
  await panel.clock.setSystemTime(Date.now());
  await panel.getByRole('button', { name: 'Show a new link' }).click();
  await expect(panel.getByText(/Link expires in [45]:\d\d/)).toBeVisible();
  expect(await readQr(panel)).not.toBe(first);
});

test('explains a malformed link, an expired link and an image with no QR, and changes nothing', async ({
  context,
}) => {
  const panel = await openSidePanel(context);
  await addTodo(panel, 'Keep me');
  await panel.getByRole('button', { name: 'Join a device' }).click();
  const box = panel.getByRole('textbox', { name: 'Pairing link' });
  const alert = drawer(panel).getByRole('alert');

  await box.fill('https://example.com/pair#garbage');
  await box.press('Enter');
  await expect(alert).toHaveText(/isn't a pairing link/);

  const expired = createPairingLink({
    relayOrigin: relay.url,
    hostId: newDeviceId(),
    now: Date.now() - 6 * 60_000,
  });
  expect(parsePairingLink(expired.url, expired.expiresAt - 1).ok).toBe(true);
  await box.fill(expired.url);
  await panel.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(alert).toHaveText(/expired/);

  const noQr = await panel.getByRole('heading', { name: 'Todo-Tasker' }).screenshot();
  await panel
    .getByLabel('Read QR from image')
    .setInputFiles({ name: 'shot.png', mimeType: 'image/png', buffer: noQr });
  await expect(alert).toHaveText(/No QR code found in this image/);

  await expect(todoList(panel).getByRole('listitem')).toHaveCount(1);
  await expect(todoItem(panel, 'Keep me')).toBeVisible();
});

/** Nothing a person could scan or copy: no QR image, no link, no Copy button, no countdown. */
async function expectNoLinkShown(panel: Page) {
  await expect(qrImage(panel)).toHaveCount(0);
  await expect(drawer(panel).getByText(/\/p#|\/pair#/)).toHaveCount(0);
  await expect(drawer(panel).getByRole('button', { name: 'Copy link' })).toHaveCount(0);
  await expect(drawer(panel).getByText(/Link expires in/)).toHaveCount(0);
}

/** "Pair a device" against a relay that never answers: a connecting state, then the error, never a QR. */
async function expectUnreachable(panel: Page) {
  await panel.getByRole('button', { name: 'Pair a device' }).click();
  const connecting = drawer(panel).getByRole('status').filter({ hasText: 'Connecting to the sync relay…' });
  await expect(connecting).toBeVisible();
  await expectNoLinkShown(panel);
  await expect(drawer(panel).getByRole('alert')).toHaveText(/Could not reach the sync relay/, {
    timeout: 20_000,
  });
  await expectNoLinkShown(panel);
  await expect(connecting).toHaveCount(0);
  // "Try again" starts over with a new session: connecting again, still nothing to scan.
  await drawer(panel).getByRole('button', { name: 'Try again' }).click();
  await expect(connecting).toBeVisible();
  await expect(drawer(panel).getByRole('alert')).toHaveCount(0);
  await expectNoLinkShown(panel);
}

test('shows no QR and no link while the relay cannot be reached, then says so and offers to try again', async ({
  context,
}) => {
  const panel = await openSidePanel(context);
  // A free port with nothing listening: connecting is refused at once, and the engine gives up after its timeout.
  await setRelay(panel, `http://127.0.0.1:${await freePort()}`);
  await expectUnreachable(panel);
});

test('shows no QR while the relay accepts the connection but never answers', async ({ context }) => {
  // A relay that hangs (stopped process behind a live port, a captive network): TCP connects, the
  // WebSocket handshake never completes.
  const sockets = new Set<Socket>();
  const silent = createServer((s) => void sockets.add(s));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    const panel = await openSidePanel(context);
    await setRelay(panel, `http://127.0.0.1:${(silent.address() as AddressInfo).port}`);
    await expectUnreachable(panel);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }
});

test('shows the QR and the link once the relay has answered, after a moment of connecting', async ({
  context,
}) => {
  const panel = await openSidePanel(context);
  await setRelay(panel, relay.url);
  await panel.getByRole('button', { name: 'Pair a device' }).click();
  await expect(qrImage(panel)).toBeVisible();
  // The link is there only because the engine's socket is open: the relay answered for this session.
  expect((await sendRequest(panel, { kind: 'sync.status' })) as unknown).toMatchObject({
    ok: true,
    data: { phase: 'waiting', role: 'host' },
  });
  await expect(
    drawer(panel).getByRole('status').filter({ hasText: 'Connecting to the sync relay…' }),
  ).toHaveCount(0);
  const link = await readQr(panel);
  expect(link.startsWith(`${relay.url}/p#`)).toBe(true);
  await expect(drawer(panel).getByText(link, { exact: true })).toBeVisible();
});
