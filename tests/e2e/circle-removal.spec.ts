/**
 * Removing a device (issue 11) in real Chromium: three profiles in one circle, real relay on loopback
 * behind a wiretap, SQLite on OPFS. The removed profile is cut off at once and told so; the other two
 * carry on live in a new room; a member that was closed during the removal follows when it is back;
 * the removed profile can pair again.
 */
import type { Page } from '@playwright/test';
import { startRelay, type RelayProcess } from '../../scripts/relay-process.mjs';
import { addTodo, expect, expectTitles, newProfileDir, sendRequest, test, todoItem } from './fixtures';
import { openProfile, setRelay, pairOnce } from './sync-ui';
import { startWiretap, type Wiretap } from './wiretap';

let relay: RelayProcess;

test.beforeAll(async () => {
  test.setTimeout(90_000);
  relay = await startRelay();
});
test.afterAll(async () => {
  await relay?.stop();
});

const status = (panel: Page) => panel.getByRole('status', { name: 'Sync status' });

async function openDevices(panel: Page) {
  await panel.getByRole('button', { name: 'Devices' }).click();
  return panel.getByRole('list', { name: 'Devices in your circle' });
}

async function removeFrom(panel: Page, label: string) {
  await openDevices(panel);
  await panel.getByRole('button', { name: `Remove ${label}` }).click();
  const dialog = panel.getByRole('dialog', { name: `Remove ${label}?` });
  await expect(dialog).toContainText('It keeps the todos it already has.');
  await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(dialog).toBeHidden();
}

async function deviceId(panel: Page): Promise<string> {
  const s = (await sendRequest(panel, { kind: 'db.status' })) as { data: { deviceId: string } };
  return s.data.deviceId;
}

/** circle room → the devices whose sockets opened it, read from the upgrade requests the tap saw. */
function circleRooms(tap: Wiretap): Map<string, Set<string>> {
  const rooms = new Map<string, Set<string>>();
  for (const s of tap.streams) {
    if (s.direction !== 'to-relay') continue;
    const head = s.bytes().subarray(0, 2048).toString('latin1');
    const m = /^GET \/parties\/circle\/([0-9a-f-]{36})\?[^ ]*?_pk=([0-9a-f-]{36})/.exec(head);
    if (!m) continue;
    const set = rooms.get(m[1]!) ?? new Set<string>();
    set.add(m[2]!);
    rooms.set(m[1]!, set);
  }
  return rooms;
}

test('a removed profile is cut off at once and told so; the other two carry on live; it can pair again', async () => {
  test.setTimeout(300_000);
  const tap = await startWiretap({ host: '127.0.0.1', port: relay.port });
  const [a, b, c] = await Promise.all([openProfile(), openProfile(), openProfile()]);
  try {
    for (const p of [a, b, c]) await setRelay(p.panel, tap.url);
    await pairOnce(a, b);
    await pairOnce(a, c);
    await addTodo(b.panel, 'Shared by all three');
    await expectTitles(c.panel, ['Shared by all three']);
    const ids = { a: await deviceId(a.panel), b: await deviceId(b.panel), c: await deviceId(c.panel) };
    const roomsBefore = new Set(circleRooms(tap).keys());

    await removeFrom(a.panel, c.label);

    // C is told, on its own screen, by whom.
    await expect(status(c.panel)).toHaveText(/^Not synced: this device was removed from your circle by /);
    await c.panel.getByRole('button', { name: 'Devices' }).click();
    await expect(c.panel.getByRole('group', { name: 'Removed from your circle' })).toContainText(
      `This device was removed from your circle by ${a.label} on `,
    );
    // A and B: two devices now, synced.
    const listA = a.panel.getByRole('list', { name: 'Devices in your circle' });
    await expect(listA.getByRole('listitem')).toHaveCount(2);
    const listB = await openDevices(b.panel);
    await expect(listB.getByRole('listitem')).toHaveCount(2, { timeout: 30_000 });
    await expect(listB.getByRole('listitem').filter({ hasText: c.label })).toHaveCount(0);

    // Live between A and B; nothing new reaches C, and nothing of C's reaches them.
    await addTodo(c.panel, 'Written on removed C');
    await addTodo(a.panel, 'From A after the removal');
    await expectTitles(b.panel, ['From A after the removal', 'Shared by all three']);
    await addTodo(b.panel, 'From B after the removal');
    await expectTitles(a.panel, [
      'From B after the removal',
      'From A after the removal',
      'Shared by all three',
    ]);
    await expect(status(a.panel)).toHaveText('Synced');
    await expectTitles(c.panel, ['Written on removed C', 'Shared by all three']);

    // The new epoch's room: A and B opened it, C never did.
    const after = [...circleRooms(tap).entries()].filter(([room]) => !roomsBefore.has(room));
    const newRoom = after.find(([, devices]) => devices.has(ids.a) && devices.has(ids.b));
    expect(newRoom, 'A and B share a new circle room').toBeDefined();
    expect(newRoom![1].has(ids.c)).toBe(false);
    for (const t of ['Shared by all three', 'after the removal', 'removed C'])
      expect(tap.saw(t), t).toBe(false);

    // C pairs again with A: all three converge.
    await c.panel.getByRole('button', { name: 'Close' }).click();
    await pairOnce(a, c);
    await expectTitles(c.panel, [
      'From B after the removal',
      'From A after the removal',
      'Written on removed C',
      'Shared by all three',
    ]);
    await addTodo(b.panel, 'All three again');
    await expect(todoItem(c.panel, 'All three again')).toBeVisible();
    await expect(todoItem(a.panel, 'Written on removed C')).toBeVisible();
  } finally {
    await Promise.all([a.close(), b.close(), c.close()]).catch(() => {});
    await tap.close();
  }
});

test('a member closed during the removal moves to the new epoch when it is back; the removed one gets nothing', async () => {
  test.setTimeout(300_000);
  const dirB = newProfileDir();
  const [a, first, c] = await Promise.all([openProfile(), openProfile(dirB, true), openProfile()]);
  let b = first;
  try {
    for (const p of [a, b, c]) await setRelay(p.panel, relay.url);
    await pairOnce(a, b);
    await pairOnce(a, c);
    await b.close();

    await removeFrom(a.panel, c.label);
    await expect(status(c.panel)).toHaveText(/was removed from your circle/);
    await addTodo(a.panel, 'While B was closed');

    // B starts again in the room it knew: A (listening there for late members) hands it the new epoch.
    b = await openProfile(dirB, true);
    await expectTitles(b.panel, ['While B was closed'], 45_000);
    const listB = await openDevices(b.panel);
    await expect(listB.getByRole('listitem')).toHaveCount(2);
    await addTodo(b.panel, 'B is back');
    await expect(todoItem(a.panel, 'B is back')).toBeVisible();
    await addTodo(a.panel, 'A after B is back');
    await expect(todoItem(b.panel, 'A after B is back')).toBeVisible();
    for (const t of ['While B was closed', 'B is back', 'A after B is back'])
      await expect(todoItem(c.panel, t)).toHaveCount(0);
  } finally {
    await Promise.all([a.close(), b.close(), c.close()]).catch(() => {});
  }
});
