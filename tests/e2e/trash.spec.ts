/** "Recently deleted" (issue 14): a deleted todo comes back after its Undo notice is gone. */
import {
  addTodo,
  clickMoreAction,
  expect,
  expectTitles,
  openSidePanel,
  sendRequest,
  test,
  todoItem,
} from './fixtures';
import type { Page } from '@playwright/test';

const trashList = (panel: Page) => panel.getByRole('list', { name: 'Deleted todos' });
const trashItem = (panel: Page, title: string) =>
  trashList(panel)
    .getByRole('listitem')
    .filter({ has: panel.getByText(title, { exact: true }) });

async function deleteAndCloseNotice(panel: Page, title: string) {
  await todoItem(panel, title)
    .getByRole('button', { name: `Delete ${title}` })
    .click();
  await expect(todoItem(panel, title)).toHaveCount(0);
  const notice = panel.getByRole('status').filter({ hasText: `Deleted “${title}”` });
  await notice.getByRole('button', { name: 'Hide notice' }).click();
  await expect(panel.getByRole('button', { name: `Undo delete ${title}` })).toHaveCount(0);
}

test('restores a deleted todo from Recently deleted after its Undo notice is closed', async ({ context }) => {
  const panel = await openSidePanel(context);
  await addTodo(panel, 'Renew passport');
  await addTodo(panel, 'Water plants');
  await deleteAndCloseNotice(panel, 'Renew passport');

  await clickMoreAction(panel, 'Recently deleted');
  await expect(trashItem(panel, 'Renew passport')).toBeVisible();
  await expect(trashItem(panel, 'Water plants')).toHaveCount(0);
  await trashItem(panel, 'Renew passport').getByRole('button', { name: 'Restore Renew passport' }).click();

  await expect(trashList(panel)).toHaveCount(0);
  await expect(panel.getByText('Nothing deleted.')).toBeVisible();
  // The button went with its item; focus did not go to the page's body.
  await expect(panel.getByRole('searchbox', { name: 'Search deleted todos' })).toBeFocused();
  await expectTitles(panel, ['Renew passport', 'Water plants']);
  // It is a write like any other: it is still there after a reload.
  await panel.reload();
  await expectTitles(panel, ['Renew passport', 'Water plants']);
});

test('searches the trash, deletes one forever and empties the rest', async ({ context }) => {
  const panel = await openSidePanel(context);
  for (const t of ['Old flights', 'Old receipts', 'Garden plan', 'Kept']) await addTodo(panel, t);
  for (const t of ['Old flights', 'Old receipts', 'Garden plan']) await deleteAndCloseNotice(panel, t);

  await clickMoreAction(panel, 'Recently deleted');
  await expect(trashList(panel).getByRole('listitem')).toHaveCount(3);
  await panel.getByRole('searchbox', { name: 'Search deleted todos' }).fill('old');
  await expect(trashList(panel).getByRole('listitem')).toHaveCount(2);
  await trashItem(panel, 'Old flights').getByRole('button', { name: 'Delete forever Old flights' }).click();
  await expect(trashList(panel).getByRole('listitem')).toHaveCount(1);
  // Focus moves on to the item now in its place.
  await expect(
    trashItem(panel, 'Old receipts').getByRole('button', { name: 'Restore Old receipts' }),
  ).toBeFocused();
  await panel.getByRole('searchbox', { name: 'Search deleted todos' }).fill('');
  await expect(trashList(panel).getByRole('listitem')).toHaveCount(2);

  await panel.getByRole('button', { name: 'Empty trash' }).click();
  await panel
    .getByRole('group', { name: 'Empty trash?' })
    .getByRole('button', { name: 'Yes, empty trash' })
    .click();
  await expect(panel.getByText('Nothing deleted.')).toBeVisible();
  await expect(panel.getByRole('searchbox', { name: 'Search deleted todos' })).toBeFocused();
  await expectTitles(panel, ['Kept']);
  await panel.reload();
  await clickMoreAction(panel, 'Recently deleted');
  await expect(panel.getByText('Nothing deleted.')).toBeVisible();
});

test('a failed Delete forever says why and keeps the entry; the reason stays through a search until the next action', async ({
  context,
}) => {
  const panel = await openSidePanel(context);
  for (const t of ['Old flights', 'Garden plan']) await addTodo(panel, t);
  for (const t of ['Old flights', 'Garden plan']) await deleteAndCloseNotice(panel, t);
  await clickMoreAction(panel, 'Recently deleted');
  await expect(trashList(panel).getByRole('listitem')).toHaveCount(2);

  // The next write fails as on a full disk: the view says so beside its list (the page's own alert too).
  await expect(sendRequest(panel, { kind: 'dev.fail', fault: 'full' })).resolves.toMatchObject({ ok: true });
  await trashItem(panel, 'Old flights').getByRole('button', { name: 'Delete forever Old flights' }).click();
  const said = panel.getByRole('alert').filter({ hasText: 'no room left' });
  await expect(said).toHaveCount(2);
  await expect(trashItem(panel, 'Old flights')).toHaveCount(1);

  // A search reloads the list and succeeds; the action's reason stays.
  const search = panel.getByRole('searchbox', { name: 'Search deleted todos' });
  await search.fill('garden');
  await expect(trashList(panel).getByRole('listitem')).toHaveCount(1);
  await search.fill('');
  await expect(trashList(panel).getByRole('listitem')).toHaveCount(2);
  await expect(said).toHaveCount(2);

  // The next action succeeds and takes the view's reason away.
  await trashItem(panel, 'Garden plan').getByRole('button', { name: 'Restore Garden plan' }).click();
  await expect(trashList(panel).getByRole('listitem')).toHaveCount(1);
  await expect(said).toHaveCount(1);
});
