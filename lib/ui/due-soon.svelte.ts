/**
 * The popup's "what is due": overdue and today's todos (issue 12: the popup showed only the last 5
 * created and could neither complete nor date anything). A row that is completed or re-dated here
 * stays where it is until the popup is opened again, so it does not jump from under the pointer;
 * a todo added in the popup reloads both lists (it may be due today). Completed todos of today come
 * after the open ones (the date views' order), or not at all under the "Hide completed" setting.
 */
import type { TodoClient } from '../messages/client';
import type { TodoPatch, WireTodo } from '../messages/todo-schema';
import { localDateTime } from '../model/due-date';
import type { View } from '../model/views';
import type { Health } from './health.svelte';

/** Enough for a popup; more than this is a job for the side panel, which the popup links to. */
export const DUE_SOON_MAX = 20;

export function createDueSoon(
  client: TodoClient,
  health: Health,
  hideCompleted: () => Promise<boolean> = async () => false,
) {
  let overdue = $state.raw<WireTodo[]>([]);
  let today = $state.raw<WireTodo[]>([]);
  let loaded = $state(false);

  async function list(view: View, now: string): Promise<WireTodo[]> {
    const r = await client.send({
      kind: 'todos.page',
      query: { filter: 'all', sort: 'due', search: '', cursor: null, limit: DUE_SOON_MAX, view, now },
    });
    if (r.ok) return r.data.todos;
    health.report(r.error);
    return [];
  }
  async function load() {
    const now = localDateTime(Date.now());
    // The setting is read alongside the queries, not before them (popup open → ready is measured).
    // Today's completed todos come after its open ones, so leaving them out of the first
    // DUE_SOON_MAX leaves the open ones that a query for open todos alone would give.
    const [o, t, hide] = await Promise.all([
      list('overdue', now),
      list('today', now),
      hideCompleted().catch(() => false),
    ]);
    overdue = o;
    today = hide ? t.filter((r) => !r.completed) : t;
    loaded = true;
  }
  const replace = (rows: WireTodo[], t: WireTodo) => rows.map((r) => (r.id === t.id ? t : r));

  async function update(todo: WireTodo, patch: TodoPatch): Promise<string | null> {
    const r = await client.send({ kind: 'todos.update', id: todo.id, patch });
    if (!r.ok) {
      health.report(r.error);
      return r.error.message;
    }
    overdue = replace(overdue, r.data);
    today = replace(today, r.data);
    return null;
  }

  return {
    get overdue() {
      return overdue;
    },
    get today() {
      return today;
    },
    get loaded() {
      return loaded;
    },
    load,
    update,
  };
}
