/**
 * Keyboard shortcuts in the side panel's list (issue 12): j/k move between todos, x completes,
 * e edits, n goes to the new-todo box, / to search, ? lists them; none fires while typing.
 */
import type { Page } from '@playwright/test';
import { addTodo, expect, openSidePanel, sendRequest, test, todoItem, todoList } from './fixtures';

/** The list's todos in the order shown, by their checkboxes' names. */
const order = (panel: Page) =>
  todoList(panel)
    .getByRole('checkbox')
    .evaluateAll((boxes) => boxes.map((b) => b.getAttribute('aria-label')!.replace(/^Complete /, '')));

test('j/k move, x completes, e edits, n and / go to their boxes, ? lists the shortcuts', async ({
  context,
}) => {
  const panel = await openSidePanel(context);
  // Newest first: Third, Second, First.
  for (const t of ['First', 'Second', 'Third']) await addTodo(panel, t);
  const box = panel.getByRole('textbox', { name: 'New todo' });

  // Typing a j in the new-todo box is typing, not a shortcut.
  await box.press('j');
  await expect(box).toHaveValue('j');
  await box.fill('');
  await box.blur();

  await panel.keyboard.press('j');
  await expect(panel.getByRole('checkbox', { name: 'Complete Third' })).toBeFocused();
  await panel.keyboard.press('j');
  await expect(panel.getByRole('checkbox', { name: 'Complete Second' })).toBeFocused();
  await panel.keyboard.press('x');
  await expect(panel.getByRole('checkbox', { name: 'Complete Second' })).toBeChecked();
  await panel.keyboard.press('k');
  await expect(panel.getByRole('checkbox', { name: 'Complete Third' })).toBeFocused();
  await panel.keyboard.press('e');
  await expect(todoList(panel).getByRole('textbox', { name: 'Title' })).toHaveValue('Third');
  await panel.keyboard.press('Escape');
  await expect(todoList(panel).getByRole('textbox', { name: 'Title' })).toHaveCount(0);
  await expect(todoItem(panel, 'Third')).toBeVisible();

  await panel.getByRole('checkbox', { name: 'Complete First' }).focus();
  await panel.keyboard.press('/');
  await expect(panel.getByRole('searchbox', { name: 'Search todos' })).toBeFocused();
  await expect(panel.getByRole('searchbox', { name: 'Search todos' })).toHaveValue('');
  await panel.getByRole('checkbox', { name: 'Complete First' }).focus();
  await panel.keyboard.press('n');
  await expect(box).toBeFocused();
  await expect(box).toHaveValue('');

  await box.blur();
  await panel.keyboard.press('?');
  const help = panel.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  await expect(help.getByText('Complete or reopen the todo')).toBeVisible();
  await panel.keyboard.press('Escape');
  await expect(help).toBeHidden();
});

test('a completed todo keeps its place and focus until the list is shown again, then sits below the open ones or is hidden', async ({
  context,
}) => {
  const panel = await openSidePanel(context);
  for (const t of ['First', 'Second', 'Third']) await addTodo(panel, t);
  await panel.getByRole('textbox', { name: 'New todo' }).blur();
  await expect.poll(() => order(panel)).toEqual(['Third', 'Second', 'First']);

  // x on the top row: it is checked where it is, focus stays on it, and j goes on to the next row.
  await panel.keyboard.press('j');
  await panel.keyboard.press('x');
  const third = panel.getByRole('checkbox', { name: 'Complete Third' });
  await expect(third).toBeChecked();
  await expect(third).toBeFocused();
  expect(await order(panel)).toEqual(['Third', 'Second', 'First']);
  await panel.keyboard.press('j');
  await expect(panel.getByRole('checkbox', { name: 'Complete Second' })).toBeFocused();

  // Shown again (another view and back): the completed todo sits below the open ones.
  await panel.getByRole('button', { name: 'Today', exact: true }).click();
  await expect(panel.getByText('Nothing due today.')).toBeVisible();
  await panel.getByRole('button', { name: 'All', exact: true }).click();
  await expect.poll(() => order(panel)).toEqual(['Second', 'First', 'Third']);
  // Another sort keeps it there (undated todos tie on the due date and follow their ids: oldest first).
  await panel.getByRole('combobox', { name: 'Sort by' }).selectOption('due');
  await expect.poll(() => order(panel)).toEqual(['First', 'Second', 'Third']);
  await panel.getByRole('combobox', { name: 'Sort by' }).selectOption('created');
  await expect.poll(() => order(panel)).toEqual(['Second', 'First', 'Third']);

  // Settings → Hide completed todos: the list leaves it out at once, the Completed filter still lists it.
  await panel.getByRole('button', { name: 'Settings' }).click();
  await panel.getByRole('checkbox', { name: 'Hide completed todos' }).check();
  await expect.poll(() => order(panel)).toEqual(['Second', 'First']);
  await panel.keyboard.press('Escape');
  await panel.getByRole('radio', { name: /^Completed/ }).check();
  await expect.poll(() => order(panel)).toEqual(['Third']);
  await panel.getByRole('radio', { name: /^All/ }).check();
  await expect.poll(() => order(panel)).toEqual(['Second', 'First']);

  // x on Second: still shown, checked and focused; when a change elsewhere reloads the list, Second
  // leaves and the row now in its place takes the focus, so the keys go on from there.
  await panel.getByRole('checkbox', { name: 'Complete Second' }).focus();
  await panel.keyboard.press('x');
  await expect(panel.getByRole('checkbox', { name: 'Complete Second' })).toBeChecked();
  expect(await order(panel)).toEqual(['Second', 'First']);
  await sendRequest(panel, { kind: 'todos.create', input: { title: 'Fourth' } });
  await expect.poll(() => order(panel)).toEqual(['Fourth', 'First']);
  await expect(panel.getByRole('checkbox', { name: 'Complete Fourth' })).toBeFocused();
  await panel.keyboard.press('j');
  await expect(panel.getByRole('checkbox', { name: 'Complete First' })).toBeFocused();

  // The setting holds for the panel opened again.
  await panel.reload();
  await expect.poll(() => order(panel)).toEqual(['Fourth', 'First']);
});
