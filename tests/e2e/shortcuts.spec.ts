/**
 * Keyboard shortcuts in the side panel's list (issue 12): j/k move between todos, x completes,
 * e edits, n goes to the new-todo box, / to search, ? lists them; none fires while typing.
 */
import { addTodo, expect, openSidePanel, test, todoItem, todoList } from './fixtures';

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
