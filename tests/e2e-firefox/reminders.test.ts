/**
 * Reminders in Firefox ESR (issue 12): turned on in the sidebar page's Settings, a real alarm in the
 * event page fires at the due minute and shows a notification with the todo's title and no buttons
 * (Firefox's notifications have none); a click on it opens the list in a tab. The test build holds
 * the notifications permission (WebDriver BiDi cannot answer the prompt). The event page's idle
 * timeout is raised so its record of shown notifications (`ttReminders.shown`) outlives the wait;
 * the click is delivered the way Firefox would, through the background's listener.
 */
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'puppeteer-core';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { launchFirefox, newFirefoxProfileDir, openExtensionPage, pollUntil } from './firefox';
import { byRole, isChecked } from './todo-page';

type Shown = { id: string; options: { title: string; message: string; buttons?: unknown } };
type Hook = { ttReminders: { shown: Shown[]; onClicked(id: string): Promise<void> } };

let dir: string;
let firefox: Browser;
beforeEach(async () => {
  dir = newFirefoxProfileDir();
  firefox = await launchFirefox(dir, { backgroundIdleMs: 600_000 });
});
afterEach(async () => {
  await firefox?.close();
  rmSync(dir, { recursive: true, force: true });
});

const shown = (page: Page) =>
  page.evaluate(async () => {
    const bg = (await browser.runtime.getBackgroundPage()) as unknown as Hook;
    return JSON.parse(JSON.stringify(bg.ttReminders.shown)) as Shown[];
  });

it('reminds at the due minute with a notification that has no buttons, and its click opens the list', async () => {
  const panel = await openExtensionPage(firefox, 'sidepanel.html');
  await (await byRole(panel, 'Settings', 'button')).click();
  const toggle = await byRole(panel, 'Reminders', 'checkbox');
  expect(await isChecked(toggle)).toBe(false);
  await toggle.click();
  await pollUntil(
    () => isChecked(toggle),
    (c) => c,
    'Reminders on',
  );

  const { id, due } = await panel.evaluate(async () => {
    // The next whole minute, or the one after when this one is nearly over.
    const d = new Date(Date.now() + (new Date().getSeconds() > 50 ? 120_000 : 60_000));
    const p = (x: number) => String(x).padStart(2, '0');
    const due = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
    const r = (await browser.runtime.sendMessage({
      channel: 'tt.request',
      request: { kind: 'todos.create', input: { title: 'Call the plumber', due_date: due } },
    })) as { data: { id: string } };
    return { id: r.data.id, due };
  });
  const name = `tt-remind|${id}|${due}`;
  await pollUntil(
    () => panel.evaluate(async () => (await browser.alarms.getAll()).map((a) => a.name)),
    (names) => names.includes(name),
    'the reminder alarm',
  );

  const [notice] = await pollUntil(
    () => shown(panel),
    (s) => s.length > 0,
    'the notification',
    1_500,
  );
  expect(notice?.id).toBe(name);
  expect(notice?.options.title).toBe('Call the plumber');
  expect(notice?.options.buttons).toBeUndefined();
  expect(notice?.options.message).toContain('Click to open your list');

  const lists = () =>
    panel.evaluate(
      () =>
        browser.extension.getViews({ type: 'tab' }).filter((w) => w.location.pathname === '/sidepanel.html')
          .length,
    );
  const before = await lists();
  await panel.evaluate(async (n) => {
    const bg = (await browser.runtime.getBackgroundPage()) as unknown as Hook;
    await bg.ttReminders.onClicked(n);
  }, name);
  await pollUntil(lists, (n) => n === before + 1, 'the list opened in a tab');
});
