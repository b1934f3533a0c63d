import { rmSync } from 'node:fs';
import { test as base } from '@playwright/test';
import {
  addTodo,
  expect,
  launchWithExtension,
  newProfileDir,
  openSidePanel,
  todoItem,
  todoList,
} from './fixtures';

base('todos survive closing and reopening the browser on the same profile', async () => {
  const dir = newProfileDir();
  try {
    const first = await launchWithExtension(dir);
    const panel = await openSidePanel(first);
    await addTodo(panel, 'Remember me');
    await addTodo(panel, 'Me too');
    await todoItem(panel, 'Me too').getByRole('checkbox', { name: 'Complete Me too' }).check();
    await expect(todoItem(panel, 'Me too').getByRole('checkbox')).toBeChecked();
    await first.close();

    const second = await launchWithExtension(dir);
    const again = await openSidePanel(second);
    await expect(todoList(again).getByRole('listitem')).toHaveCount(2);
    await expect(todoItem(again, 'Remember me')).toBeVisible();
    await expect(todoItem(again, 'Me too').getByRole('checkbox', { name: 'Complete Me too' })).toBeChecked();
    await second.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
