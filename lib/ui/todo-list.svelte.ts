/**
 * The side panel's list state: one query (filter, search, sort) loaded page by page with keyset
 * cursors, so 10k todos never cross messaging at once. A change to fields that cannot move a row
 * (a completed box under "All", a title when not searching) patches that row by id from the write's
 * answer or a per-id fetch; other changes refetch the loaded window (issue 12.4: a toggle used to
 * refetch every loaded row, ≈ 1.8 s with 10,000 loaded).
 */
import type { TodoClient } from '../messages/client';
import type { Result } from '../messages/requests';
import type { ChangedEvent } from '../messages/events';
import {
  PAGE_MAX,
  type Counts,
  type CreateInput,
  type Cursor,
  type Page,
  type Filter,
  type Sort,
  type TodoPatch,
  type WireTodo,
} from '../messages/todo-schema';
import type { Health } from './health.svelte';
import { localDateTime } from '../model/due-date';
import type { View } from '../model/views';

export const PAGE_SIZE = 100;

export function createTodoList(client: TodoClient, health: Health) {
  let filter = $state<Filter>('all');
  let sort = $state<Sort>('created');
  let search = $state('');
  /** Today, Upcoming, Overdue or All (lib/model/views.ts). */
  let view = $state<View>('all');
  let todos = $state.raw<WireTodo[]>([]);
  let next = $state.raw<Cursor | null>(null);
  let counts = $state<Counts>({ all: 0, active: 0, completed: 0 });
  let loaded = $state(false);
  let loading = false;
  // Answers to an older query must not overwrite a newer one (typing in search sends many).
  let generation = 0;

  /** The change leaves the row where it is and in the result: patching it in place is exact. */
  function staysPut(before: WireTodo, after: WireTodo): boolean {
    if (after.deleted) return false;
    // A date view orders by completed, then due date, and decides membership by both.
    if (view !== 'all' && (before.completed !== after.completed || before.due_date !== after.due_date))
      return false;
    if (filter !== 'all' && before.completed !== after.completed) return false;
    if (sort === 'due' && before.due_date !== after.due_date) return false;
    if (sort === 'priority' && before.priority !== after.priority) return false;
    if (search.trim() && (before.title !== after.title || before.description !== after.description))
      return false;
    return true;
  }
  /** Replaces a loaded row by id; false when it is not loaded or would move (then reload). */
  function patchRow(after: WireTodo): boolean {
    const i = todos.findIndex((t) => t.id === after.id);
    if (i < 0 || !staysPut(todos[i]!, after)) return false;
    todos = todos.with(i, after);
    return true;
  }
  async function refreshCounts() {
    const gen = generation;
    const c = await client.send({ kind: 'todos.counts', search, ...viewParams() });
    if (gen === generation && c.ok) counts = c.data;
  }
  async function onChanged(e: ChangedEvent) {
    if (e.op === 'update' && e.ids.length > 0) {
      const gen = generation;
      const rows = await Promise.all(e.ids.map((id) => client.send({ kind: 'todos.get', id })));
      if (gen !== generation) return;
      if (rows.every((r) => r.ok && r.data !== null && patchRow(r.data))) return void refreshCounts();
    }
    await reload(todos.length);
  }

  /** A date view is decided against this device's local day and minute, read at each query. */
  const viewParams = () => (view === 'all' ? {} : { view, now: localDateTime(Date.now()) });
  const query = (cursor: Cursor | null, limit: number) => ({
    filter,
    sort,
    search,
    cursor,
    limit,
    ...viewParams(),
  });

  /**
   * Refetches the first `limit` rows (at least one page) in chunks of PAGE_MAX, so a change keeps a
   * long scrolled list in place instead of cutting it back to the first page.
   */
  async function reload(limit = PAGE_SIZE) {
    const gen = ++generation;
    const want = Math.max(limit, PAGE_SIZE);
    const countsP = client.send({ kind: 'todos.counts', search, ...viewParams() });
    const rows: WireTodo[] = [];
    let cursor: Cursor | null = null;
    // Bounded: each round adds up to PAGE_MAX rows or stops.
    for (let round = 0; round < Math.ceil(want / PAGE_MAX); round++) {
      const page: Result<Page> = await client.send({
        kind: 'todos.page',
        query: query(cursor, Math.min(PAGE_MAX, want - rows.length)),
      });
      if (gen !== generation) return;
      if (!page.ok) {
        health.report(page.error);
        return;
      }
      rows.push(...page.data.todos);
      cursor = page.data.next;
      if (!cursor || rows.length >= want) break;
    }
    const c = await countsP;
    if (gen !== generation) return;
    todos = rows;
    next = cursor;
    loaded = true;
    if (c.ok) counts = c.data;
  }

  async function loadMore() {
    if (!next || loading) return;
    loading = true;
    const gen = generation;
    try {
      const page = await client.send({ kind: 'todos.page', query: query(next, PAGE_SIZE) });
      if (gen !== generation) return;
      if (page.ok) {
        todos = [...todos, ...page.data.todos];
        next = page.data.next;
      } else health.report(page.error);
    } finally {
      loading = false;
    }
  }

  return {
    get filter() {
      return filter;
    },
    set filter(v: Filter) {
      filter = v;
      void reload();
    },
    get sort() {
      return sort;
    },
    get view() {
      return view;
    },
    set view(v: View) {
      view = v;
      void reload();
    },
    set sort(v: Sort) {
      sort = v;
      void reload();
    },
    get search() {
      return search;
    },
    set search(v: string) {
      search = v;
      void reload();
    },
    get todos() {
      return todos;
    },
    get counts() {
      return counts;
    },
    get hasMore() {
      return next !== null;
    },
    get loaded() {
      return loaded;
    },
    reload,
    loadMore,
    onChanged(e: ChangedEvent) {
      void onChanged(e);
    },
    /** Saves a new todo; resolves to null once saved, or to the message to show. */
    async add(input: CreateInput): Promise<string | null> {
      const r = await client.send({ kind: 'todos.create', input });
      if (r.ok) return null;
      health.report(r.error);
      return r.error.message;
    },
    /** Saves a change to one todo; resolves to null once saved, or to the message to show. */
    async update(todo: WireTodo, patch: TodoPatch): Promise<string | null> {
      const r = await client.send({ kind: 'todos.update', id: todo.id, patch });
      // Shown from the write's answer at once; the change event then confirms it by id.
      if (r.ok) {
        patchRow(r.data);
        return null;
      }
      health.report(r.error);
      return r.error.message;
    },
  };
}
export type TodoList = ReturnType<typeof createTodoList>;
