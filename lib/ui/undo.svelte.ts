/** The "Deleted … Undo" notice after a soft delete; it disappears after a while or on the next delete. */
import type { TodoClient } from '../messages/client';
import type { WireTodo } from '../messages/todo-schema';
import type { Health } from './health.svelte';

const SHOW_MS = 10_000;

export function createUndo(client: TodoClient, health: Health) {
  let message = $state('');
  let last = $state.raw<WireTodo | null>(null);
  let timer: ReturnType<typeof setTimeout> | undefined;

  const hide = () => {
    clearTimeout(timer);
    message = '';
    last = null;
  };

  return {
    get message() {
      return message;
    },
    get canUndo() {
      return last !== null;
    },
    async remove(todo: WireTodo) {
      const r = await client.send({ kind: 'todos.remove', id: todo.id });
      if (!r.ok) {
        health.report(r.error);
        message = `Could not delete “${todo.title}”: ${r.error.message}`;
        last = null;
        return;
      }
      clearTimeout(timer);
      message = `Deleted “${todo.title}”`;
      last = todo;
      timer = setTimeout(hide, SHOW_MS);
    },
    async undo() {
      const todo = last;
      if (!todo) return;
      const r = await client.send({ kind: 'todos.restore', id: todo.id });
      if (r.ok) hide();
      else {
        health.report(r.error);
        message = `Could not restore “${todo.title}”: ${r.error.message}`;
      }
    },
  };
}
