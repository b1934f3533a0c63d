/**
 * Due dates between time zones (issue 12): a due date is a calendar date with an optional time of
 * day in floating local time, so profiles in Berlin, New York, Tokyo and Auckland (Playwright
 * `timezoneId` on each profile's pages) show the same day and time after sync. And the editor sends
 * only the fields it changed, so a title fix on one device keeps a due date set on another.
 * Two or three Chromium profiles with the built extension, synced through the real relay on loopback.
 */
import type { Page } from '@playwright/test';
import { startRelay, type RelayProcess } from '../../scripts/relay-process.mjs';
import { addTodo, expect, test, todoItem } from './fixtures';
import { drawer, expectSyncedWith, joinByLink, openProfile, setRelay, type Profile } from './sync-ui';

let relay: RelayProcess;

test.beforeAll(async () => {
  test.setTimeout(90_000);
  relay = await startRelay();
});
test.afterAll(async () => {
  await relay?.stop();
});

async function inZone(timezoneId: string): Promise<Profile> {
  const p = await openProfile(undefined, false, { timezoneId, locale: 'en-US' });
  expect(await p.panel.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe(timezoneId);
  return p;
}

/** One session: `host` shows a link for every guest, each guest joins by it, all end fully synced. */
async function syncAll(host: Profile, guests: Profile[]) {
  await host.panel.getByRole('button', { name: 'Pair a device' }).click();
  if (guests.length > 1) {
    await host.panel
      .getByRole('combobox', { name: 'Devices that can join' })
      .selectOption(String(guests.length));
    await expect(drawer(host.panel).getByText(`0 of ${guests.length} devices joined.`)).toBeVisible();
  }
  await expect(host.panel.getByText(/Link expires in [45]:\d\d/)).toBeVisible();
  const link = ((await drawer(host.panel).getByText(/\/p#/).textContent()) ?? '').trim();
  for (const g of guests) await joinByLink(g.panel, link);
  const all = [host, ...guests];
  for (const p of all) {
    const others = all.filter((o) => o !== p).map((o) => o.label);
    // A session of two shows one status line; a bigger one lists every device.
    if (all.length > 2) await expectSyncedWith(drawer(p.panel), others);
    else
      await expect(
        drawer(p.panel)
          .getByRole('status')
          .filter({ hasText: `Synced with ${others[0]}.` }),
      ).toBeVisible({ timeout: 30_000 });
  }
  for (const p of all) await drawer(p.panel).getByRole('button', { name: 'Close' }).click();
}

const editButton = (panel: Page, title: string) =>
  todoItem(panel, title).getByRole('button', { name: `Edit ${title}` });

async function setDue(panel: Page, title: string, date: string, time: string) {
  await editButton(panel, title).click();
  await panel.getByRole('textbox', { name: 'Due date' }).fill(date);
  await panel.getByRole('textbox', { name: 'Due time' }).fill(time);
  await panel.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(editButton(panel, title)).toBeVisible();
}

/** The editor of `title` shows this date and time; closes it again without saving. */
async function expectEditorDue(panel: Page, title: string, date: string, time: string) {
  await editButton(panel, title).click();
  await expect(panel.getByRole('textbox', { name: 'Due date' })).toHaveValue(date);
  await expect(panel.getByRole('textbox', { name: 'Due time' })).toHaveValue(time);
  await panel.getByRole('button', { name: 'Cancel' }).click();
}

test('a due date and time set in Berlin show as the same day and time in New York and Tokyo, and survive a title edit there', async () => {
  test.setTimeout(240_000);
  const [berlin, newYork, tokyo] = await Promise.all([
    inZone('Europe/Berlin'),
    inZone('America/New_York'),
    inZone('Asia/Tokyo'),
  ]);
  try {
    for (const p of [berlin, newYork, tokyo]) await setRelay(p.panel, relay.url);
    // Near midnight on both sides of the date line: ms at Berlin's midnight was the 4th in New York.
    await addTodo(berlin.panel, 'Renew passport');
    await setDue(berlin.panel, 'Renew passport', '2026-12-05', '00:30');
    await expect(todoItem(berlin.panel, 'Renew passport')).toContainText('Due Dec 5, 2026, 12:30 AM');

    await syncAll(berlin, [newYork, tokyo]);
    for (const p of [berlin, newYork, tokyo]) {
      await expect(todoItem(p.panel, 'Renew passport')).toContainText('Due Dec 5, 2026, 12:30 AM');
      await expectEditorDue(p.panel, 'Renew passport', '2026-12-05', '00:30');
    }

    // New York fixes only the title; Berlin's date and time must come back unchanged.
    await editButton(newYork.panel, 'Renew passport').click();
    await newYork.panel.getByRole('textbox', { name: 'Title' }).fill('Renew passport at the embassy');
    await newYork.panel.getByRole('button', { name: 'Save', exact: true }).click();
    await syncAll(newYork, [berlin]);
    await expect(todoItem(berlin.panel, 'Renew passport at the embassy')).toContainText(
      'Due Dec 5, 2026, 12:30 AM',
    );
    await expectEditorDue(berlin.panel, 'Renew passport at the embassy', '2026-12-05', '00:30');
  } finally {
    await Promise.all([berlin.close(), newYork.close(), tokyo.close()]);
  }
});

test('a title edit saved in an editor opened before another device set the due date keeps that due date', async () => {
  test.setTimeout(240_000);
  const [berlin, auckland] = await Promise.all([inZone('Europe/Berlin'), inZone('Pacific/Auckland')]);
  try {
    for (const p of [berlin, auckland]) await setRelay(p.panel, relay.url);
    await addTodo(berlin.panel, 'Pay rent');
    await syncAll(berlin, [auckland]);
    await expect(todoItem(auckland.panel, 'Pay rent')).toBeVisible();

    // Berlin opens the editor; meanwhile Auckland sets a due date and it syncs to Berlin.
    await editButton(berlin.panel, 'Pay rent').click();
    const title = berlin.panel.getByRole('textbox', { name: 'Title' });
    await expect(title).toHaveValue('Pay rent');
    await setDue(auckland.panel, 'Pay rent', '2026-12-05', '18:00');
    await syncAll(auckland, [berlin]);
    await expect(title).toBeVisible(); // the editor stayed open through the sync

    // Berlin saves a title change only: the due date from Auckland must stay.
    await title.fill('Pay rent on the 5th');
    await berlin.panel.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(todoItem(berlin.panel, 'Pay rent on the 5th')).toContainText('Due Dec 5, 2026, 6:00 PM');
    await syncAll(berlin, [auckland]);
    for (const p of [berlin, auckland]) {
      await expect(todoItem(p.panel, 'Pay rent on the 5th')).toContainText('Due Dec 5, 2026, 6:00 PM');
      await expectEditorDue(p.panel, 'Pay rent on the 5th', '2026-12-05', '18:00');
    }
  } finally {
    await Promise.all([berlin.close(), auckland.close()]);
  }
});
