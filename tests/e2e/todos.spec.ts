import {
  addTodo,
  clickMoreAction,
  expect,
  openPopup,
  openSidePanel,
  sendRequest,
  test,
  todoItem,
  todoList,
} from './fixtures';

test('a todo added in the popup appears in an open side panel without reloading it', async ({ context }) => {
  const panel = await openSidePanel(context);
  await expect(panel.getByText('No todos yet')).toBeVisible();
  const popup = await openPopup(context);
  await expect(popup.getByRole('textbox', { name: 'New todo' })).toBeFocused();
  await addTodo(popup, '  Buy oat milk  ');
  await expect(popup.getByRole('list', { name: 'Recent todos' }).getByRole('listitem').first()).toHaveText(
    'Buy oat milk',
  );
  await expect(todoItem(panel, 'Buy oat milk')).toBeVisible();
  await expect(popup.getByRole('button', { name: 'Open side panel' })).toBeVisible();
});

test('refuses an empty title with a message and saves nothing', async ({ context }) => {
  const panel = await openSidePanel(context);
  const box = panel.getByRole('textbox', { name: 'New todo' });
  await box.fill('   ');
  await box.press('Enter');
  await expect(panel.getByText('A todo needs a title.')).toBeVisible();
  await expect(panel.getByText('No todos yet')).toBeVisible();
});

test('refuses an over-long title with a message and keeps the typed text', async ({ context }) => {
  const panel = await openSidePanel(context);
  const box = panel.getByRole('textbox', { name: 'New todo' });
  const long = 'x'.repeat(501);
  await box.fill(long);
  await box.press('Enter');
  await expect(panel.getByText(/at most 500 characters/)).toBeVisible();
  await expect(box).toHaveValue(long);
  await expect(todoList(panel).getByRole('listitem')).toHaveCount(0);
});

test('edits title, description, priority and due date; an overdue todo says so', async ({ context }) => {
  const panel = await openSidePanel(context);
  await addTodo(panel, 'Draft report');
  await todoItem(panel, 'Draft report').getByRole('button', { name: 'Edit Draft report' }).click();
  await panel.getByRole('textbox', { name: 'Title' }).fill('Final report');
  await panel.getByRole('textbox', { name: 'Description' }).fill('Send to Ana');
  await panel.getByRole('combobox', { name: 'Priority' }).selectOption('high');
  await panel.getByRole('textbox', { name: 'Due date' }).fill('2020-01-15');
  await panel.getByRole('button', { name: 'Save' }).click();
  const item = todoItem(panel, 'Final report');
  await expect(item).toContainText('Send to Ana');
  await expect(item).toContainText('high priority');
  await expect(item).toContainText('Overdue');
  await expect(todoItem(panel, 'Draft report')).toHaveCount(0);
});

test('completes a todo and back, and filters by state', async ({ context }) => {
  const panel = await openSidePanel(context);
  await addTodo(panel, 'Water plants');
  await addTodo(panel, 'Call bank');
  await todoItem(panel, 'Water plants').getByRole('checkbox', { name: 'Complete Water plants' }).check();
  await expect(todoItem(panel, 'Water plants').getByRole('checkbox')).toBeChecked();

  await panel.getByRole('radio', { name: /Completed/ }).check();
  await expect(todoItem(panel, 'Water plants')).toBeVisible();
  await expect(todoItem(panel, 'Call bank')).toHaveCount(0);

  await panel.getByRole('radio', { name: /Active/ }).check();
  await expect(todoItem(panel, 'Call bank')).toBeVisible();
  await expect(todoItem(panel, 'Water plants')).toHaveCount(0);

  await panel.getByRole('radio', { name: /All/ }).check();
  await todoItem(panel, 'Water plants').getByRole('checkbox', { name: 'Complete Water plants' }).uncheck();
  await panel.getByRole('radio', { name: /Completed/ }).check();
  await expect(panel.getByText('No completed todos.')).toBeVisible();
});

test('deletes a todo and brings it back with Undo', async ({ context }) => {
  const panel = await openSidePanel(context);
  await addTodo(panel, 'Renew passport');
  await todoItem(panel, 'Renew passport').getByRole('button', { name: 'Delete Renew passport' }).click();
  await expect(todoItem(panel, 'Renew passport')).toHaveCount(0);
  await expect(panel.getByRole('status').filter({ hasText: 'Deleted' })).toContainText(
    'Deleted “Renew passport”',
  );
  await panel.getByRole('button', { name: 'Undo' }).click();
  await expect(todoItem(panel, 'Renew passport')).toBeVisible();
});

test('searches titles and descriptions, with a clear empty state', async ({ context }) => {
  const panel = await openSidePanel(context);
  await addTodo(panel, 'Book 50% off flights');
  await addTodo(panel, 'Plan garden');
  const search = panel.getByRole('searchbox', { name: 'Search todos' });
  await search.fill('50%');
  await expect(todoItem(panel, 'Book 50% off flights')).toBeVisible();
  await expect(todoItem(panel, 'Plan garden')).toHaveCount(0);
  await search.fill('zebra');
  await expect(panel.getByText('Nothing matches “zebra”')).toBeVisible();
  await search.fill('');
  await expect(todoList(panel).getByRole('listitem')).toHaveCount(2);
});

test('sorts by priority', async ({ context }) => {
  const panel = await openSidePanel(context);
  await addTodo(panel, 'Urgent thing');
  await addTodo(panel, 'Low thing');
  await todoItem(panel, 'Urgent thing').getByRole('button', { name: 'Edit Urgent thing' }).click();
  await panel.getByRole('combobox', { name: 'Priority' }).selectOption('high');
  await panel.getByRole('button', { name: 'Save' }).click();
  await todoItem(panel, 'Low thing').getByRole('button', { name: 'Edit Low thing' }).click();
  await panel.getByRole('combobox', { name: 'Priority' }).selectOption('low');
  await panel.getByRole('button', { name: 'Save' }).click();
  await expect(todoItem(panel, 'Low thing')).toContainText('low priority');
  await panel.getByRole('combobox', { name: 'Sort by' }).selectOption('priority');
  await expect(todoList(panel).getByRole('listitem').first()).toContainText('Urgent thing');
  await panel.getByRole('combobox', { name: 'Sort by' }).selectOption('created');
  await expect(todoList(panel).getByRole('listitem').first()).toContainText('Low thing');
});

test('shows a title that looks like HTML as text and runs nothing', async ({ context }) => {
  const panel = await openSidePanel(context);
  const dialogs: string[] = [];
  panel.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const title = '<img src=x onerror=alert(1)>';
  await addTodo(panel, title);
  await expect(todoItem(panel, title)).toBeVisible();
  await expect(todoList(panel).locator('img')).toHaveCount(0);
  const popup = await openPopup(context);
  await expect(popup.getByRole('list', { name: 'Recent todos' })).toContainText(title);
  await expect(popup.locator('img')).toHaveCount(0);
  expect(dialogs).toEqual([]);
});

test('works from the keyboard: add, complete, edit with Escape, delete and Undo', async ({ context }) => {
  const panel = await openSidePanel(context);
  const box = panel.getByRole('textbox', { name: 'New todo' });
  await expect(box).toBeFocused();
  await panel.keyboard.type('Keyboard todo');
  await panel.keyboard.press('Enter');
  const item = todoItem(panel, 'Keyboard todo');
  await expect(item).toBeVisible();

  await item.getByRole('checkbox', { name: 'Complete Keyboard todo' }).focus();
  await panel.keyboard.press('Space');
  await expect(item.getByRole('checkbox')).toBeChecked();

  await item.getByRole('button', { name: 'Edit Keyboard todo' }).focus();
  await panel.keyboard.press('Enter');
  await expect(panel.getByRole('textbox', { name: 'Title' })).toBeFocused();
  await panel.keyboard.press('Escape');
  await expect(panel.getByRole('textbox', { name: 'Title' })).toHaveCount(0);
  await expect(item.getByRole('button', { name: 'Edit Keyboard todo' })).toBeFocused();

  await item.getByRole('button', { name: 'Delete Keyboard todo' }).focus();
  await panel.keyboard.press('Enter');
  await expect(item).toHaveCount(0);
  await expect(panel.getByRole('button', { name: 'Undo' })).toBeFocused();
  await panel.keyboard.press('Enter');
  await expect(todoItem(panel, 'Keyboard todo')).toBeVisible();
});

test('undoes each of several quick deletes, and focus goes to the restored todo', async ({ context }) => {
  const panel = await openSidePanel(context);
  for (const t of ['First gone', 'Second gone', 'Third stays']) await addTodo(panel, t);
  await todoItem(panel, 'First gone').getByRole('button', { name: 'Delete First gone' }).click();
  await expect(panel.getByRole('button', { name: 'Undo delete First gone' })).toBeFocused();
  await todoItem(panel, 'Second gone').getByRole('button', { name: 'Delete Second gone' }).click();
  await expect(todoItem(panel, 'First gone')).toHaveCount(0);
  await expect(todoItem(panel, 'Second gone')).toHaveCount(0);

  // The earlier delete can still be undone, not only the last.
  await panel.getByRole('button', { name: 'Undo delete First gone' }).click();
  await expect(todoItem(panel, 'First gone')).toBeVisible();
  await expect(panel.getByRole('checkbox', { name: 'Complete First gone' })).toBeFocused();
  await panel.getByRole('button', { name: 'Undo delete Second gone' }).click();
  await expect(panel.getByRole('checkbox', { name: 'Complete Second gone' })).toBeFocused();
  await expect(panel.getByRole('button', { name: /Undo/ })).toHaveCount(0);
});

test('typing on straight after a delete keeps every letter, and Enter adds rather than undoes', async ({
  context,
}) => {
  const panel = await openSidePanel(context);
  await addTodo(panel, 'Call the bank');
  // A slow disk (every write 100 ms): the delete answers well after the typing below has begun.
  await expect(sendRequest(panel, { kind: 'dev.fail', fault: 'slow' })).resolves.toMatchObject({ ok: true });
  await todoItem(panel, 'Call the bank').getByRole('button', { name: 'Delete Call the bank' }).click();
  // Straight on, before the delete has answered: its notice must not take the focus from here.
  const box = panel.getByRole('textbox', { name: 'New todo' });
  await box.click();
  await box.pressSequentially('Fix the bike brakes and pump both tyres', { delay: 30 });
  await box.press('Enter');
  await expect(todoItem(panel, 'Fix the bike brakes and pump both tyres')).toBeVisible();
  await expect(todoItem(panel, 'Call the bank')).toHaveCount(0);
  await expect(panel.getByRole('button', { name: 'Undo delete Call the bank' })).toBeVisible();
  await expect(box).toBeFocused();
});

test('Escape closes a drawer and focus returns to the button that opened it', async ({ context }) => {
  const panel = await openSidePanel(context);
  const opener = panel.getByRole('button', { name: 'Devices' });
  await opener.click();
  await expect(panel.getByRole('heading', { name: 'Devices' })).toBeFocused();
  await panel.keyboard.press('Escape');
  await expect(panel.getByRole('heading', { name: 'Devices' })).toHaveCount(0);
  await expect(opener).toBeFocused();
  await expect(opener).toHaveAttribute('aria-expanded', 'false');

  await opener.click();
  await panel.getByRole('button', { name: 'Close' }).click();
  await expect(opener).toBeFocused();

  // Opened from the "More actions" list, which closed behind it: focus goes to the list's button.
  const more = panel.getByRole('button', { name: 'More actions' });
  await clickMoreAction(panel, 'Sync history');
  await expect(panel.getByRole('heading', { name: 'Sync history' })).toBeFocused();
  await expect(more).toHaveAttribute('aria-expanded', 'false');
  await panel.keyboard.press('Escape');
  await expect(panel.getByRole('heading', { name: 'Sync history' })).toHaveCount(0);
  await expect(more).toBeFocused();
});

test('the "More actions" list works from the keyboard and closes on Escape or a click elsewhere', async ({
  context,
}) => {
  const panel = await openSidePanel(context);
  const more = panel.getByRole('button', { name: 'More actions' });
  await expect(more).toHaveAttribute('aria-expanded', 'false');
  await expect(panel.getByRole('button', { name: 'Recently deleted' })).toBeHidden();
  await more.focus();
  await panel.keyboard.press('Enter');
  await expect(more).toHaveAttribute('aria-expanded', 'true');
  await expect(panel.getByRole('button', { name: 'Sync history' })).toBeFocused();
  await panel.keyboard.press('ArrowDown');
  await expect(panel.getByRole('button', { name: 'Recently deleted' })).toBeFocused();
  await panel.keyboard.press('End');
  await expect(panel.getByRole('button', { name: 'Import…' })).toBeFocused();
  await panel.keyboard.press('ArrowDown');
  await expect(panel.getByRole('button', { name: 'Sync history' })).toBeFocused();
  await panel.keyboard.press('Escape');
  await expect(more).toBeFocused();
  await expect(more).toHaveAttribute('aria-expanded', 'false');

  await more.click();
  await expect(panel.getByRole('button', { name: 'Back up…' })).toBeVisible();
  await panel.getByRole('heading', { level: 1, name: 'Todo-Tasker' }).click();
  await expect(panel.getByRole('button', { name: 'Back up…' })).toBeHidden();

  // Chosen from the keyboard, an item opens its panel (its heading takes focus) and closes the list.
  await more.focus();
  await panel.keyboard.press('Enter');
  await panel.keyboard.press('ArrowDown');
  await panel.keyboard.press('Enter');
  await expect(panel.getByRole('heading', { name: 'Recently deleted' })).toBeFocused();
  await expect(more).toHaveAttribute('aria-expanded', 'false');
});

test('header buttons are icons with names and tooltips; priority is a mark with words only when not the default', async ({
  context,
}) => {
  const panel = await openSidePanel(context);
  for (const name of ['Devices', 'Pair a device', 'Join a device', 'Settings', 'More actions']) {
    const button = panel.getByRole('navigation', { name: 'Devices and settings' }).getByRole('button', {
      name,
      exact: true,
    });
    await expect(button).toHaveAttribute('title', name);
    await expect(button).toHaveText('');
  }
  await addTodo(panel, 'Urgent thing !high');
  await addTodo(panel, 'Plain thing');
  const urgent = todoItem(panel, 'Urgent thing');
  await expect(urgent).toContainText('high priority');
  await expect(urgent.getByText('high priority')).toHaveClass(/visually-hidden/);
  await expect(todoItem(panel, 'Plain thing')).not.toContainText('priority');
  await expect(urgent.getByRole('button', { name: 'Edit Urgent thing' })).toHaveText('');
  await expect(urgent.getByRole('button', { name: 'Delete Urgent thing' })).toHaveAttribute(
    'title',
    'Delete Urgent thing',
  );
});

test('shows priority only when not the default, and lays out right-to-left titles right to left', async ({
  context,
}) => {
  const panel = await openSidePanel(context);
  await addTodo(panel, 'Plain todo');
  await expect(todoItem(panel, 'Plain todo')).not.toContainText('priority');
  const rtl = 'לקנות חלב';
  await addTodo(panel, rtl);
  const title = todoItem(panel, rtl).getByText(rtl, { exact: true });
  await expect(title).toHaveAttribute('dir', 'auto');
  await expect(title).toHaveCSS('direction', 'rtl');

  const popup = await openPopup(context);
  await expect(popup.getByRole('heading', { level: 1, name: 'Todo-Tasker' })).toBeVisible();
  await expect(popup.getByRole('list', { name: 'Recent todos' }).getByText(rtl)).toHaveCSS(
    'direction',
    'rtl',
  );
});

test('with every todo completed and hidden, the side panel says so instead of “No todos yet”', async ({
  context,
}) => {
  const panel = await openSidePanel(context);
  await addTodo(panel, 'Water the plants');
  await todoItem(panel, 'Water the plants')
    .getByRole('checkbox', { name: 'Complete Water the plants' })
    .check();
  await panel.getByRole('button', { name: 'Settings' }).click();
  await panel.getByRole('checkbox', { name: 'Hide completed todos' }).check();
  await panel.keyboard.press('Escape');
  await expect(todoList(panel).getByRole('listitem')).toHaveCount(0);
  await expect(panel.getByText('All done. Completed todos are hidden')).toBeVisible();
  await expect(panel.getByText(/No todos yet/)).toHaveCount(0);
  // Under Active, unticking the setting would show nothing more: the line says what the filter holds.
  await panel.getByRole('radio', { name: /^Active/ }).check();
  await expect(panel.getByText('No active todos.')).toBeVisible();
  await expect(panel.getByText('All done. Completed todos are hidden')).toHaveCount(0);
});
