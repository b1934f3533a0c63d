/** A todo's History in its editor (issue 14): earlier values, who set them, and Restore. */
import { addTodo, expect, expectTitles, openSidePanel, test, todoItem } from './fixtures';

test('restores an older title from the editor’s History', async ({ context }) => {
  const panel = await openSidePanel(context);
  await addTodo(panel, 'Draft report');
  await todoItem(panel, 'Draft report').getByRole('button', { name: 'Edit Draft report' }).click();
  await panel.getByRole('textbox', { name: 'Title' }).fill('Final report');
  await panel.getByRole('combobox', { name: 'Priority' }).selectOption('high');
  await panel.getByRole('button', { name: 'Save' }).click();
  await expectTitles(panel, ['Final report']);

  await todoItem(panel, 'Final report').getByRole('button', { name: 'Edit Final report' }).click();
  await panel
    .getByRole('form', { name: 'Edit Final report' })
    .getByRole('button', { name: 'History' })
    .click();
  const titles = panel.getByRole('list', { name: 'Title history' });
  await expect(titles.getByRole('listitem')).toHaveCount(2);
  await expect(titles.getByRole('listitem').first()).toContainText('Final report');
  await expect(titles.getByRole('listitem').first()).toContainText('set on this device');
  await expect(titles.getByRole('listitem').first()).toContainText('shown now');
  await expect(panel.getByRole('list', { name: 'Priority history' }).getByRole('listitem')).toHaveCount(2);
  // A field never changed has no history to show.
  await expect(panel.getByRole('list', { name: 'Description history' })).toHaveCount(0);

  await titles.getByRole('button', { name: 'Restore title Draft report' }).click();
  await expect(titles.getByRole('listitem').first()).toContainText('Draft report');
  await expect(titles.getByRole('listitem')).toHaveCount(3);
  await expect(panel.getByRole('textbox', { name: 'Title' })).toHaveValue('Draft report');
  await panel.getByRole('button', { name: 'Cancel' }).click();
  await expectTitles(panel, ['Draft report']);
  // The restore is a new write, not a view: it survives a reload, priority untouched.
  await panel.reload();
  await expectTitles(panel, ['Draft report']);
  await expect(todoItem(panel, 'Draft report')).toContainText('high priority');
});

test('the editor shows a restored title, and Save then keeps it and what was typed', async ({ context }) => {
  const panel = await openSidePanel(context);
  await addTodo(panel, 'Draft report');
  await todoItem(panel, 'Draft report').getByRole('button', { name: 'Edit Draft report' }).click();
  await panel.getByRole('textbox', { name: 'Title' }).fill('Final report');
  await panel.getByRole('button', { name: 'Save' }).click();
  await expectTitles(panel, ['Final report']);

  await todoItem(panel, 'Final report').getByRole('button', { name: 'Edit Final report' }).click();
  const editor = panel.getByRole('form', { name: 'Edit Final report' });
  // Typed and not saved yet: a restore of another field leaves it as typed.
  await editor.getByRole('textbox', { name: 'Description' }).fill('For Friday');
  await editor.getByRole('button', { name: 'History' }).click();
  await panel
    .getByRole('list', { name: 'Title history' })
    .getByRole('button', { name: 'Restore title Draft report' })
    .click();
  const title = panel.getByRole('textbox', { name: 'Title' });
  await expect(title).toHaveValue('Draft report');
  await expect(panel.getByRole('textbox', { name: 'Description' })).toHaveValue('For Friday');
  await panel.getByRole('button', { name: 'Save' }).click();
  await expect(title).toHaveCount(0);
  await expectTitles(panel, ['Draft report']);
  await panel.reload();
  await expectTitles(panel, ['Draft report']);
  await todoItem(panel, 'Draft report').getByRole('button', { name: 'Edit Draft report' }).click();
  await expect(panel.getByRole('textbox', { name: 'Description' })).toHaveValue('For Friday');
});
