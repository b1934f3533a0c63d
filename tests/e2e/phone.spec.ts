import { chromium } from '@playwright/test';
import { rmSync } from 'node:fs';
import { addTodo, CHROMIUM, newProfileDir, todoItem, todoList } from './fixtures';
import { expect, openPhone, PHONE, test, waitForOfflineShell } from './phone-fixtures';

test('serves the app at the root, at /p and at /pair, and keeps the service worker off relay endpoints', async ({
  relay,
  request,
}) => {
  const root = await request.get(`${relay.url}/`);
  const pair = await request.get(`${relay.url}/pair`);
  const p = await request.get(`${relay.url}/p`);
  expect(root.ok()).toBe(true);
  expect(pair.ok()).toBe(true);
  expect(p.ok()).toBe(true);
  const html = await root.text();
  expect(html).toContain('<link rel="manifest"');
  expect(await pair.text()).toBe(html);
  expect(await p.text()).toBe(html);
  const manifest = await (await request.get(`${relay.url}/manifest.webmanifest`)).json();
  expect(manifest).toMatchObject({ display: 'standalone', start_url: '/', name: 'Todo-Tasker' });
  for (const size of ['192x192', '512x512']) {
    const icon = manifest.icons.find((i: { sizes: string }) => i.sizes === size);
    const png = await request.get(`${relay.url}${icon.src}`);
    expect(png.headers()['content-type']).toBe('image/png');
  }
  const precache = await (await request.get(`${relay.url}/precache.json`)).json();
  expect(precache.urls).toContain('/');
  expect(precache.urls.some((u: string) => u.endsWith('.wasm'))).toBe(true);
  expect(precache.urls.filter((u: string) => u.startsWith('/parties/') || u === '/health')).toEqual([]);
});

test('adds, edits, completes and deletes todos on a phone, with the extension’s accessible names', async ({
  phone,
  relay,
}) => {
  const page = await openPhone(phone, relay.url);
  await addTodo(page, 'Buy milk');
  await addTodo(page, 'Call mum');
  await expect(todoList(page).getByRole('listitem')).toHaveCount(2);

  const milk = todoItem(page, 'Buy milk');
  await milk.getByRole('checkbox', { name: 'Complete Buy milk' }).tap();
  await expect(milk.getByRole('checkbox', { name: 'Complete Buy milk' })).toBeChecked();

  await todoItem(page, 'Call mum').getByRole('button', { name: 'Edit Call mum' }).tap();
  const title = page.getByRole('textbox', { name: 'Title' });
  await title.fill('Call mum back');
  await title.press('Enter');
  await expect(todoItem(page, 'Call mum back')).toBeVisible();

  await todoItem(page, 'Call mum back').getByRole('button', { name: 'Delete Call mum back' }).tap();
  await expect(todoList(page).getByRole('listitem')).toHaveCount(1);
  await page.getByRole('button', { name: 'Undo' }).tap();
  await expect(todoList(page).getByRole('listitem')).toHaveCount(2);

  // The phone keeps its own copy: a reload reads it back from OPFS.
  await page.reload();
  await expect(todoItem(page, 'Call mum back')).toBeVisible();
  await expect(todoItem(page, 'Buy milk').getByRole('checkbox')).toBeChecked();
});

test('fits a 360 px screen with touch targets of at least 44 px', async ({ phoneBrowser, relay }) => {
  const context = await phoneBrowser.newContext({
    viewport: { width: 360, height: 740 },
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 3,
  });
  const page = await openPhone(context, relay.url);
  await addTodo(page, 'A todo with a rather long title that has to wrap on a narrow phone screen');
  const item = todoList(page).getByRole('listitem').first();
  const targets = [
    page.getByRole('textbox', { name: 'New todo' }),
    item.getByRole('checkbox'),
    item.getByRole('button', { name: /^Edit / }),
    item.getByRole('button', { name: /^Delete / }),
  ];
  for (const target of targets) {
    const box = await target.boundingBox();
    expect(box?.width).toBeGreaterThanOrEqual(44);
    expect(box?.height).toBeGreaterThanOrEqual(44);
    expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(360);
  }
  // A mobile viewport widens itself to fit overflowing content, so compare with the screen, not innerWidth.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await context.close();
});

test('opens offline after a reload and still adds, edits, completes and deletes', async ({
  phone,
  relay,
}) => {
  const page = await openPhone(phone, relay.url);
  await addTodo(page, 'Written online');
  await waitForOfflineShell(page);

  await phone.setOffline(true);
  await page.reload();
  await expect(todoItem(page, 'Written online')).toBeVisible();
  await addTodo(page, 'Written offline');
  await todoItem(page, 'Written offline').getByRole('checkbox', { name: 'Complete Written offline' }).tap();
  await expect(todoItem(page, 'Written offline').getByRole('checkbox')).toBeChecked();
  await todoItem(page, 'Written online').getByRole('button', { name: 'Edit Written online' }).tap();
  await page.getByRole('textbox', { name: 'Title' }).fill('Edited offline');
  await page.getByRole('textbox', { name: 'Title' }).press('Enter');
  await todoItem(page, 'Edited offline').getByRole('button', { name: 'Delete Edited offline' }).tap();
  await expect(todoList(page).getByRole('listitem')).toHaveCount(1);

  await page.reload();
  await expect(todoItem(page, 'Written offline').getByRole('checkbox')).toBeChecked();
  await expect(todoList(page).getByRole('listitem')).toHaveCount(1);
  // The QR views load their code on first use; offline it comes from the cache too.
  await page.getByRole('button', { name: 'Scan QR' }).tap();
  await expect(page.getByRole('textbox', { name: 'Pairing link' })).toBeVisible();
  await page.getByRole('button', { name: 'My list' }).tap();
  // The relay's own endpoints are never answered from the cache.
  const health = await page.evaluate(() =>
    fetch('/health').then(
      () => 'answered',
      () => 'failed',
    ),
  );
  expect(health).toBe('failed');
});

test('is installable: Chromium reports no installability errors for the manifest and service worker', async ({
  relay,
}) => {
  // Incognito contexts are never installable, so this one gets a real profile.
  const dir = newProfileDir();
  const context = await chromium.launchPersistentContext(dir, {
    ...PHONE,
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await openPhone(context, relay.url);
    await waitForOfflineShell(page);
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    expect(installabilityErrors).toEqual([]);
    const { url, data } = await cdp.send('Page.getAppManifest');
    expect(url).toBe(`${relay.url}/manifest.webmanifest`);
    expect(data).toContain('"display": "standalone"');
  } finally {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('follows the system’s dark mode and reduced motion', async ({ phoneBrowser, relay }) => {
  const context = await phoneBrowser.newContext({ colorScheme: 'dark', reducedMotion: 'reduce' });
  const page = await openPhone(context, relay.url);
  await addTodo(page, 'Read in the dark');
  const background = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  expect(background).toBe('rgb(23, 24, 27)');
  const transition = await todoItem(page, 'Read in the dark')
    .getByRole('button', { name: 'Delete Read in the dark' })
    .evaluate((el) => getComputedStyle(el).transitionDuration);
  expect(transition).toBe('0s');
  await context.close();
});
