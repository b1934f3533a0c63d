import { rmSync } from 'node:fs';
import {
  addTodo,
  launchWithExtension,
  newProfileDir,
  openSidePanel,
  sendRequest,
  todoItem,
  todoList,
} from './fixtures';
import { expect, openPhone, test, waitForOfflineShell } from './phone-fixtures';

test('a phone joins from the side panel’s QR, ends with its list, and sends its own todos back', async ({
  phone,
  relay,
}) => {
  const dir = newProfileDir();
  const extension = await launchWithExtension(dir);
  try {
    const panel = await openSidePanel(extension);
    expect(await sendRequest(panel, { kind: 'settings.set', relayUrl: relay.url })).toMatchObject({
      ok: true,
    });
    for (const title of ['Desk: file taxes', 'Desk: water plants', 'Desk: call the bank'])
      await addTodo(panel, title);

    const mobile = await openPhone(phone, relay.url);
    await addTodo(mobile, 'Phone: buy stamps');
    await addTodo(mobile, 'Phone: pick up parcel');
    await waitForOfflineShell(mobile);

    const paired = (await sendRequest(panel, { kind: 'sync.pair' })) as {
      ok: boolean;
      data: { link: string };
    };
    expect(paired.ok).toBe(true);
    await mobile.goto(paired.data.link);
    expect(mobile.url()).toBe(`${relay.url}/`);

    await expect(mobile.getByRole('status').filter({ hasText: /^Synced/ })).toBeVisible();
    await expect(todoList(mobile).getByRole('listitem')).toHaveCount(5);
    for (const title of ['Desk: file taxes', 'Desk: water plants', 'Desk: call the bank'])
      await expect(todoItem(mobile, title)).toBeVisible();
    await expect(todoList(panel).getByRole('listitem')).toHaveCount(5);
    await expect(todoItem(panel, 'Phone: buy stamps')).toBeVisible();
    await expect(todoItem(panel, 'Phone: pick up parcel')).toBeVisible();

    await phone.setOffline(true);
    await mobile.reload();
    await expect(todoList(mobile).getByRole('listitem')).toHaveCount(5);
    await todoItem(mobile, 'Desk: water plants')
      .getByRole('checkbox', { name: 'Complete Desk: water plants' })
      .tap();
    await expect(todoItem(mobile, 'Desk: water plants').getByRole('checkbox')).toBeChecked();
    await addTodo(mobile, 'Phone: offline note');
    await expect(todoList(mobile).getByRole('listitem')).toHaveCount(6);
  } finally {
    await extension.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
