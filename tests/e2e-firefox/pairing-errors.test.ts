import { rmSync } from 'node:fs';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newDeviceId } from '../../lib/model/ids';
import { createPairingLink } from '../../lib/pairing/pairing-link';
import { freePort } from '../../scripts/relay-process.mjs';
import { launchFirefox, newFirefoxProfileDir, openExtensionPage, pollUntil } from './firefox';
import { addTodo, byRole, listTitles, retype, waitForText } from './todo-page';

// The same plain-language errors as in Chrome (tests/e2e/pairing.spec.ts), seen in the Firefox sidebar.
let dir: string;
let firefox: Browser;
let sidebar: Page;

beforeAll(async () => {
  dir = newFirefoxProfileDir();
  firefox = await launchFirefox(dir);
  sidebar = await openExtensionPage(firefox, 'sidepanel.html');
  await addTodo(sidebar, 'Keep me');
});
afterAll(async () => {
  await firefox?.close();
  rmSync(dir, { recursive: true, force: true });
});

const alerts = (p: Page) =>
  p.evaluate(() =>
    [...document.querySelectorAll('[role="alert"]')].map((e) => e.textContent ?? '').join('\n'),
  );

async function join(link: string) {
  await retype(sidebar, await byRole(sidebar, 'Pairing link', 'textbox'), link);
  await (await byRole(sidebar, 'Join', 'button')).click();
}

it('explains a malformed and an expired link and changes nothing', async () => {
  await (await byRole(sidebar, 'Join a device', 'button')).click();
  await join('https://example.com/pair#garbage');
  await pollUntil(
    () => alerts(sidebar),
    (a) => /isn't a pairing link/.test(a),
    'the malformed-link message',
  );

  const port = await freePort();
  const expired = createPairingLink({
    relayOrigin: `http://127.0.0.1:${port}`,
    hostId: newDeviceId(),
    now: Date.now() - 6 * 60_000,
  });
  await join(expired.url);
  await pollUntil(
    () => alerts(sidebar),
    (a) => /expired/.test(a),
    'the expired-link message',
  );
  expect(await listTitles(sidebar)).toEqual(['Keep me']);
  await (await byRole(sidebar, 'Close', 'button')).click();
});

it('says when the relay cannot be reached and offers to try again', async () => {
  await (await byRole(sidebar, 'Settings', 'button')).click();
  const box = await byRole(sidebar, 'Relay address', 'textbox');
  await pollUntil(
    () => box.evaluate((el) => (el instanceof HTMLInputElement ? el.value : '')),
    (v) => v !== '',
    'the relay address to load',
  );
  // A free port with nothing listening: the connection is refused and the engine gives up.
  await retype(sidebar, box, `http://127.0.0.1:${await freePort()}`);
  await (await byRole(sidebar, 'Save', 'button')).click();
  await waitForText(sidebar, 'Saved.');
  await (await byRole(sidebar, 'Pair a device', 'button')).click();
  await pollUntil(
    () => alerts(sidebar),
    (a) => /Could not reach the sync relay/.test(a),
    'the unreachable-relay message',
    400,
  );
  await byRole(sidebar, 'Try again', 'button');
});
