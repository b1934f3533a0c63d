/**
 * Reminders (issue 12) in the built extension: turned on in Settings, an alarm per due time that
 * fires with every extension page closed and shows a notification with the todo's title; Complete
 * and Snooze 1 hour act on it; the schedule follows edits; Settings turn reminders and the badge off.
 *
 * Test builds hold the notifications permission from install (wxt.config.ts): Playwright cannot
 * answer the browser's permission prompt. A notification's buttons are pressed the way the browser
 * would, by calling the background's listener (`ttReminders.onButton`), as the context-menu test
 * does for menu clicks: Chromium draws notifications outside any page Playwright can reach.
 */
import type { BrowserContext, Worker } from '@playwright/test';
import { expect, openSidePanel, sendRequest, test, todoItem } from './fixtures';

type Shown = { id: string; options: { title: string; message: string; buttons?: { title: string }[] } };
type Hook = {
  ttReminders: { shown: Shown[]; onButton(id: string, index: number): Promise<boolean> };
};

async function worker(context: BrowserContext): Promise<Worker> {
  return context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
}

/** The background's local day and minute `minutes` from now, as a due date. */
const localIn = (sw: Worker, minutes: number) =>
  sw.evaluate((m) => {
    const d = new Date(Date.now() + m * 60_000);
    const p = (x: number) => String(x).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  }, minutes);

const reminderAlarms = (sw: Worker) =>
  sw.evaluate(async () =>
    (await chrome.alarms.getAll())
      .filter((a) => a.name.startsWith('tt-remind|') || a.name.startsWith('tt-snooze|'))
      .map((a) => ({ name: a.name, when: a.scheduledTime }))
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
  );

async function openSettings(context: BrowserContext) {
  const panel = await openSidePanel(context);
  await panel.getByRole('button', { name: 'Settings' }).click();
  return panel;
}

async function create(panel: Awaited<ReturnType<typeof openSidePanel>>, title: string, due: string) {
  const r = (await sendRequest(panel, { kind: 'todos.create', input: { title, due_date: due } })) as {
    ok: boolean;
    data: { id: string };
  };
  expect(r.ok).toBe(true);
  return r.data.id;
}

test('reminds at the due time with every extension page closed, and Complete completes the todo', async ({
  context,
}) => {
  test.setTimeout(180_000);
  const sw = await worker(context);
  const panel = await openSettings(context);
  const toggle = panel.getByRole('checkbox', { name: 'Reminders' });
  await expect(toggle).not.toBeChecked();
  await toggle.check();
  await expect(toggle).toBeChecked();

  // The next whole minute, or the one after when this one is nearly over (the alarm must lie ahead).
  const seconds = await sw.evaluate(() => new Date().getSeconds());
  const due = await localIn(sw, seconds > 50 ? 2 : 1);
  const id = await create(panel, 'Call the plumber', due);
  const name = `tt-remind|${id}|${due}`;
  const at = await sw.evaluate((d) => {
    const [day, time] = d.split('T') as [string, string];
    const [y, mo, dd] = day.split('-').map(Number) as [number, number, number];
    const [h, mi] = time.split(':').map(Number) as [number, number];
    return new Date(y, mo - 1, dd, h, mi).getTime();
  }, due);
  await expect.poll(() => reminderAlarms(sw)).toEqual([{ name, when: at }]);

  await panel.close();
  expect(context.pages().filter((p) => p.url().startsWith('chrome-extension://'))).toEqual([]);
  const shown = () => sw.evaluate(() => (globalThis as unknown as Hook).ttReminders.shown);
  await expect.poll(shown, { timeout: 150_000 }).toEqual([
    {
      id: name,
      options: expect.objectContaining({
        title: 'Call the plumber',
        buttons: [{ title: 'Complete' }, { title: 'Snooze 1 hour' }],
      }) as Shown['options'],
    },
  ]);
  // The fired alarm is gone: the reminder is not shown twice.
  expect(await reminderAlarms(sw)).toEqual([]);

  expect(await sw.evaluate((n) => (globalThis as unknown as Hook).ttReminders.onButton(n, 0), name)).toBe(
    true,
  );
  const list = await openSidePanel(context);
  await expect(todoItem(list, 'Call the plumber').getByRole('checkbox')).toBeChecked();
});

test('the schedule follows edits, Snooze sets an hour on, and Settings turn reminders and the badge off', async ({
  context,
}) => {
  const sw = await worker(context);
  const panel = await openSettings(context);
  await panel.getByRole('checkbox', { name: 'Reminders' }).check();

  const tomorrow9 = (await localIn(sw, 24 * 60)).slice(0, 10) + 'T09:00';
  const id = await create(panel, 'Renew passport', tomorrow9);
  await expect
    .poll(async () => (await reminderAlarms(sw)).map((a) => a.name))
    .toEqual([`tt-remind|${id}|${tomorrow9}`]);

  const tomorrow10 = tomorrow9.replace('T09:00', 'T10:30');
  await sendRequest(panel, { kind: 'todos.update', id, patch: { due_date: tomorrow10 } });
  await expect
    .poll(async () => (await reminderAlarms(sw)).map((a) => a.name))
    .toEqual([`tt-remind|${id}|${tomorrow10}`]);

  // A date without a time does not remind.
  await sendRequest(panel, { kind: 'todos.update', id, patch: { due_date: tomorrow10.slice(0, 10) } });
  await expect.poll(() => reminderAlarms(sw)).toEqual([]);

  // Snooze on a reminder of a todo overdue since this morning.
  const overdue = (await localIn(sw, 0)).slice(0, 10) + 'T00:00';
  const late = await create(panel, 'Pay the rent', overdue);
  const before = await sw.evaluate(() => Date.now());
  expect(
    await sw.evaluate(
      (n) => (globalThis as unknown as Hook).ttReminders.onButton(n, 1),
      `tt-remind|${late}|${overdue}`,
    ),
  ).toBe(true);
  const [snooze] = await reminderAlarms(sw);
  expect(snooze?.name).toBe(`tt-snooze|${late}|${overdue}`);
  expect(snooze!.when - before).toBeGreaterThanOrEqual(3_600_000);
  expect(snooze!.when - before).toBeLessThan(3_600_000 + 60_000);

  await create(panel, 'Water the plants', tomorrow9);
  await expect.poll(async () => (await reminderAlarms(sw)).length).toBe(2);
  await panel.getByRole('checkbox', { name: 'Reminders' }).uncheck();
  await expect.poll(() => reminderAlarms(sw)).toEqual([]);

  // The badge counts the overdue todo until its setting is off.
  const badge = () => sw.evaluate(() => chrome.action.getBadgeText({}));
  await expect.poll(badge).toBe('1');
  await panel.getByRole('checkbox', { name: 'Toolbar badge' }).uncheck();
  await expect.poll(badge).toBe('');
  await panel.reload();
  await panel.getByRole('button', { name: 'Settings' }).click();
  await expect(panel.getByRole('checkbox', { name: 'Toolbar badge' })).not.toBeChecked();
  await expect(panel.getByRole('checkbox', { name: 'Reminders' })).not.toBeChecked();
  await panel.getByRole('checkbox', { name: 'Toolbar badge' }).check();
  await expect.poll(badge).toBe('1');
});
