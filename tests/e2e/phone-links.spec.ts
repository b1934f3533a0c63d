import { createPairingLink } from '../../lib/pairing/pairing-link';
import { newDeviceId } from '../../lib/model/ids';
import { PROTOCOL_VERSION } from '../../lib/protocol/envelope';
import { addTodo, todoItem } from './fixtures';
import { expect, openPhone, test } from './phone-fixtures';

const HOUR = 3_600_000;

test('a malformed link shows a plain-language page with a way back to the list', async ({ phone, relay }) => {
  const page = await openPhone(phone, `${relay.url}/pair#v=${PROTOCOL_VERSION}&s=not-a-session&k=short`);
  await expect(page.getByRole('heading', { name: 'This pairing link is incomplete' })).toBeFocused();
  await expect(page.getByText('Copy the whole link shown on the other device')).toBeVisible();
  await expect(page.getByText('choose “Pair a device”')).toBeVisible();
  expect(page.url()).toBe(`${relay.url}/`);

  await page.getByRole('button', { name: 'Open my list' }).tap();
  await addTodo(page, 'Still works');
  await expect(todoItem(page, 'Still works')).toBeVisible();
});

test('an expired link says so and removes its key from the address bar', async ({ phone, relay }) => {
  const link = createPairingLink({ relayOrigin: relay.url, hostId: newDeviceId(), now: Date.now() - HOUR });
  const page = await openPhone(phone, link.url);
  await expect(page.getByRole('heading', { name: 'This pairing link has expired' })).toBeVisible();
  await expect(page.getByText('links last 5 minutes')).toBeVisible();
  expect(page.url()).toBe(`${relay.url}/`);
});

test('a link from a newer version asks to update instead of failing silently', async ({ phone, relay }) => {
  const link = createPairingLink({ relayOrigin: relay.url, hostId: newDeviceId() });
  const page = await openPhone(phone, link.url.replace(`/p#${PROTOCOL_VERSION}.`, '/p#99.'));
  await expect(
    page.getByRole('heading', { name: 'This pairing link is from another version' }),
  ).toBeVisible();
  await expect(page.getByText('newer version of Todo-Tasker')).toBeVisible();
});
