/**
 * Several devices in one session: a link for two guests, three Chromium profiles with the built
 * extension, the real relay on loopback. Each profile starts with its own todos; afterwards all
 * three lists are the same, every device lists the others, and a fourth device is refused.
 */
import { startRelay, type RelayProcess } from '../../scripts/relay-process.mjs';
import { addTodo, expect, expectTitles, test } from './fixtures';
import { drawer, expectSyncedWith, joinByLink, openProfile, setRelay, type Profile } from './sync-ui';

let relay: RelayProcess;

test.beforeAll(async () => {
  test.setTimeout(90_000);
  relay = await startRelay();
});
test.afterAll(async () => {
  await relay?.stop();
});

test('three profiles in one session all converge, and the link refuses a device beyond its limit', async () => {
  test.setTimeout(180_000);
  const [a, b, c] = await Promise.all([openProfile(), openProfile(), openProfile()]);
  let d: Profile | null = null;
  try {
    for (const p of [a, b, c]) await setRelay(p.panel, relay.url);
    for (const t of ['Buy oat milk', 'Book dentist']) await addTodo(a.panel, t);
    await addTodo(b.panel, 'Water the ferns');
    for (const t of ['Call the bank', 'Fix bike']) await addTodo(c.panel, t);

    await a.panel.getByRole('button', { name: 'Pair a device' }).click();
    const limit = a.panel.getByRole('combobox', { name: 'Devices that can join' });
    await expect(limit).toHaveValue('1');
    await limit.selectOption('2');
    // The text appears once the link made for two devices is on show.
    await expect(drawer(a.panel).getByText('0 of 2 devices joined.')).toBeVisible();
    await expect(a.panel.getByText(/Link expires in [45]:\d\d/)).toBeVisible();
    const link = (await drawer(a.panel).getByText(/\/p#/).textContent())?.trim() ?? '';
    expect(link.startsWith(`${relay.url}/p#`)).toBe(true);

    await joinByLink(b.panel, link);
    // With one place left the link stays on show for the next device.
    await expect(drawer(a.panel).getByText('1 of 2 devices joined.')).toBeVisible({ timeout: 20_000 });
    await joinByLink(c.panel, link);

    // Every device lists the other two: the guests found each other through the host.
    await expectSyncedWith(drawer(a.panel), [b.label, c.label]);
    await expectSyncedWith(drawer(b.panel), [a.label, c.label]);
    await expectSyncedWith(drawer(c.panel), [a.label, b.label]);
    // Both places are taken: the link is no longer shown.
    await expect(drawer(a.panel).getByText(/\/p#/)).toHaveCount(0);
    const all = ['Buy oat milk', 'Book dentist', 'Water the ferns', 'Call the bank', 'Fix bike'];
    for (const p of [a, b, c]) await expectTitles(p.panel, all);

    d = await openProfile();
    await setRelay(d.panel, relay.url);
    await joinByLink(d.panel, link);
    await expect(drawer(d.panel).getByRole('alert')).toHaveText(/already used by another device/, {
      timeout: 20_000,
    });
    await expect(d.panel.getByText('No todos yet')).toBeVisible();
    await expect(
      drawer(a.panel).getByRole('list', { name: 'Devices in this session' }).getByRole('listitem'),
    ).toHaveCount(2);
  } finally {
    await Promise.all([a.close(), b.close(), c.close(), d?.close()]);
  }
});
