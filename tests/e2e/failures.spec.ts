import { addTodo, expect, openPopup, openSidePanel, sendRequest, test, todoItem, todoList } from './fixtures';

test('a write that fails for lack of space is not shown as saved, and the user is told', async ({
  context,
}) => {
  const panel = await openSidePanel(context);
  await addTodo(panel, 'Saved before');
  const popup = await openPopup(context);
  await expect(sendRequest(popup, { kind: 'dev.fail', fault: 'full' })).resolves.toMatchObject({ ok: true });
  const box = popup.getByRole('textbox', { name: 'New todo' });
  await box.fill('Never saved');
  await box.press('Enter');
  await expect(popup.getByRole('alert').first()).toContainText('no room left');
  // The box was cleared at Enter; the unsaved text is kept beside it, with the reason.
  await expect(popup.getByRole('list', { name: 'Not saved' })).toContainText('Never saved');
  await expect(box).toHaveValue('');
  await expect(popup.getByRole('list', { name: 'Recent todos' })).not.toContainText('Never saved');
  await panel.reload();
  await expect(todoItem(panel, 'Saved before')).toBeVisible();
  await expect(todoItem(panel, 'Never saved')).toHaveCount(0);
});

test('a failed completion puts the checkbox back and says why', async ({ context }) => {
  const panel = await openSidePanel(context);
  await addTodo(panel, 'Pay rent');
  await expect(sendRequest(panel, { kind: 'dev.fail', fault: 'locked' })).resolves.toMatchObject({
    ok: true,
  });
  const box = todoItem(panel, 'Pay rent').getByRole('checkbox', { name: 'Complete Pay rent' });
  await box.click();
  await expect(panel.getByRole('alert').first()).toContainText('in use by another window');
  await expect(box).not.toBeChecked();
});

test('recovers from the database worker dying, keeping what was saved', async ({ context }) => {
  const panel = await openSidePanel(context);
  await addTodo(panel, 'Before the crash');
  await expect(sendRequest(panel, { kind: 'dev.crash' })).resolves.toMatchObject({ ok: true });
  await addTodo(panel, 'After the crash');
  await expect(todoItem(panel, 'After the crash')).toBeVisible();
  await panel.reload();
  await expect(todoList(panel).getByRole('listitem')).toHaveCount(2);
  await expect(todoItem(panel, 'Before the crash')).toBeVisible();
});

test('a list whose count could not be fetched is loaded again, not left showing the previous filter', async ({
  context,
}) => {
  const panel = await openSidePanel(context);
  for (const t of ['Pay rent', 'Call mum']) await addTodo(panel, t);
  await todoItem(panel, 'Pay rent').getByRole('checkbox').check();
  await panel.getByRole('radio', { name: /^Completed/ }).check();
  await expect(todoList(panel).getByRole('listitem')).toHaveCount(1);
  // The next count fails as a page's message does while the background service cannot be reached.
  await panel.evaluate(() => {
    const runtime = chrome.runtime as unknown as { sendMessage: (m: unknown) => Promise<unknown> };
    const send = runtime.sendMessage.bind(chrome.runtime);
    let failed = false;
    runtime.sendMessage = (m) => {
      const kind = (m as { request?: { kind?: string } }).request?.kind;
      if (kind !== 'todos.counts' || failed) return send(m);
      failed = true;
      return Promise.reject(new Error('Could not establish connection. Receiving end does not exist.'));
    };
  });
  await panel.getByRole('radio', { name: /^All/ }).check();
  await expect(panel.getByRole('alert').filter({ hasText: 'not answering' })).toBeVisible();
  await expect(todoItem(panel, 'Call mum')).toBeVisible();
  await expect(todoList(panel).getByRole('listitem')).toHaveCount(2);
  // The retry got an answer, so the alert no longer says the background is not answering.
  await expect(panel.getByRole('alert').filter({ hasText: 'not answering' })).toHaveCount(0);
});
