import { addTodo, todoItem, todoList } from './fixtures';
import { expect, openPhone, test } from './phone-fixtures';

test('hides completed todos on a phone while “Hide completed todos” is on, and keeps the setting across a reload', async ({
  phone,
  relay,
}) => {
  const page = await openPhone(phone, relay.url);
  await addTodo(page, 'Buy milk');
  await addTodo(page, 'Call mum');
  const milk = todoItem(page, 'Buy milk').getByRole('checkbox', { name: 'Complete Buy milk' });
  await milk.tap();
  await expect(milk).toBeChecked();

  const hide = page.getByRole('checkbox', { name: 'Hide completed todos' });
  const all = page.getByRole('radio', { name: /^All/ });
  const completed = page.getByRole('radio', { name: /^Completed/ });
  await expect(hide).not.toBeChecked();
  await expect(all).toHaveAccessibleName('All (2)');

  // Keyboard: the box takes focus and Space turns it on.
  await hide.focus();
  await page.keyboard.press('Space');
  await expect(hide).toBeChecked();
  await expect(todoItem(page, 'Call mum')).toBeVisible();
  await expect(todoItem(page, 'Buy milk')).toHaveCount(0);
  await expect(todoList(page).getByRole('listitem')).toHaveCount(1);
  // As in the side panel: "All" counts what it lists; the Completed filter still lists it.
  await expect(all).toHaveAccessibleName('All (1)');
  await expect(completed).toHaveAccessibleName('Completed (1)');

  // The setting is this phone's own and outlives the page.
  await page.reload();
  await expect(hide).toBeChecked();
  await expect(todoItem(page, 'Call mum')).toBeVisible();
  await expect(todoItem(page, 'Buy milk')).toHaveCount(0);
  await expect(all).toHaveAccessibleName('All (1)');

  await completed.check();
  await expect(todoItem(page, 'Buy milk')).toBeVisible();
  await all.check();
  await expect(todoItem(page, 'Buy milk')).toHaveCount(0);

  await hide.focus();
  await page.keyboard.press('Space');
  await expect(hide).not.toBeChecked();
  await expect(todoItem(page, 'Buy milk').getByRole('checkbox', { name: 'Complete Buy milk' })).toBeChecked();
  await expect(todoItem(page, 'Call mum')).toBeVisible();
  await expect(all).toHaveAccessibleName('All (2)');

  await page.reload();
  await expect(hide).not.toBeChecked();
  await expect(todoItem(page, 'Buy milk')).toBeVisible();
});

test('with every todo completed and hidden, the phone says so instead of “No todos yet”', async ({
  phone,
  relay,
}) => {
  const page = await openPhone(phone, relay.url);
  await addTodo(page, 'Water the plants');
  await todoItem(page, 'Water the plants').getByRole('checkbox', { name: 'Complete Water the plants' }).tap();
  await page.getByRole('checkbox', { name: 'Hide completed todos' }).check();
  await expect(todoList(page).getByRole('listitem')).toHaveCount(0);
  await expect(page.getByText('All done. Completed todos are hidden')).toBeVisible();
  await expect(page.getByText(/No todos yet/)).toHaveCount(0);
});
