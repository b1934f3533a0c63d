/**
 * The side panel's list state over the whole result of one query (filter, search, sort, view): the
 * count says how many rows there are, and rows are fetched by page (`offset`) only where the virtual
 * list (components/TodoList.svelte) shows them, so the end of 100,000 todos is one request away
 * instead of 1,000 page loads (issue 12.4). A change to fields that cannot move a row (a completed
 * box under "All", a title when not searching) patches that row by id from the write's answer or a
 * per-id fetch; other changes refetch the count and the rows on screen, not every row seen.
 *
 * Completed todos sink below the open ones (or are hidden, a setting), but completing or reopening
 * one never moves it: the row stays where it is, struck through, until the list is next loaded
 * (another view, filter, sort or search, a todo added, the panel opened again). So a row never slides
 * from under the pointer (two quick clicks complete the two rows clicked), x with the keyboard keeps
 * focus where it is, Undo is a second click on the same place, and a toggle stays a patch by id
 * (no refetch at 100,000 todos).
 *
 * The virtual list reaches this state through Svelte context (`getListWindow`), set while the
 * owning component initialises, so the components that create the list need no new props.
 */
import { getContext, setContext } from 'svelte';
import type { TodoClient } from '../messages/client';
import type { ChangedEvent } from '../messages/events';
import {
  type Counts,
  type CreateInput,
  type Filter,
  type Sort,
  type TodoPatch,
  type WireTodo,
} from '../messages/todo-schema';
import type { Health } from './health.svelte';
import { localDateTime } from '../model/due-date';
import type { View } from '../model/views';
import { pagesFor } from './list-window';

export const PAGE_SIZE = 100;
/** A failed load is tried again after 0.5, 1, 2, 4 and 8 s (15.5 s in all), then left to the next change. */
const RETRY_MS = 500;
const RELOAD_RETRIES = 5;

/** What the virtual list asks of the list state. */
export interface ListWindowSource {
  /** Fetches whatever of rows `start` to `end - 1` is not loaded yet (and remembers the range). */
  show(start: number, end: number): void;
}
const WINDOW_KEY = Symbol('tt.list-window');
export const getListWindow = (): ListWindowSource | undefined => getContext(WINDOW_KEY);

export function createTodoList(client: TodoClient, health: Health) {
  let filter = $state<Filter>('all');
  let sort = $state<Sort>('created');
  let search = $state('');
  /** Today, Upcoming, Overdue or All (lib/model/views.ts). */
  let view = $state<View>('all');
  /** Leave completed todos out of "All" and the date views (the setting; "Completed" still lists them). */
  let hideCompleted = $state(false);
  /** The filter the queries use: "All" means the open todos while completed ones are hidden. */
  const queryFilter = (): Filter => (hideCompleted && filter === 'all' ? 'active' : filter);
  /** One slot per row of the result; undefined where that row is not fetched yet. */
  let todos = $state.raw<(WireTodo | undefined)[]>([]);
  let counts = $state<Counts>({ all: 0, active: 0, completed: 0 });
  let loaded = $state(false);
  /** The rows on screen, last reported by the virtual list. */
  let shown = { start: 0, end: PAGE_SIZE };
  /** Pages being fetched; bookkeeping nothing renders, so not reactive. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  const inFlight = new Set<number>();
  // Answers to an older query must not overwrite a newer one (typing in search sends many).
  let generation = 0;
  // A load whose count fails leaves the previous query's rows under the new filter, view or search
  // (one failed count after choosing All kept the Completed filter's rows), and nothing loaded them
  // again short of the database restarting. So it is tried again, sooner first: a page that could
  // not reach the background service (busy or restarting) usually can a moment later.
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let retries = 0;

  /**
   * The row is patched in place: the change cannot move it, or it is a completion, which leaves the
   * row in place until the next load (see above) though every sort, filter and view would move it.
   */
  function staysPut(before: WireTodo, after: WireTodo): boolean {
    if (after.deleted) return false;
    // A date view orders by due date and decides membership by it.
    if (view !== 'all' && before.due_date !== after.due_date) return false;
    if (sort === 'due' && before.due_date !== after.due_date) return false;
    if (sort === 'priority' && before.priority !== after.priority) return false;
    if (search.trim() && (before.title !== after.title || before.description !== after.description))
      return false;
    return true;
  }
  /** Replaces a loaded row by id; false when it is not loaded or would move (then reload). */
  function patchRow(after: WireTodo): boolean {
    const i = todos.findIndex((t) => t?.id === after.id);
    if (i < 0 || !staysPut(todos[i]!, after)) return false;
    todos = todos.with(i, after);
    return true;
  }
  const totalOf = (c: Counts) => {
    const f = queryFilter();
    return f === 'active' ? c.active : f === 'completed' ? c.completed : c.all;
  };
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
    await reload();
  }

  /** A date view is decided against this device's local day and minute, read at each query. */
  const viewParams = () => (view === 'all' ? {} : { view, now: localDateTime(Date.now()) });

  async function fetchPage(page: number, gen: number): Promise<WireTodo[] | null> {
    const r = await client.send({
      kind: 'todos.page',
      query: {
        filter: queryFilter(),
        sort,
        search,
        cursor: null,
        limit: PAGE_SIZE,
        offset: page * PAGE_SIZE,
        ...viewParams(),
      },
    });
    if (gen !== generation) return null;
    if (!r.ok) {
      health.report(r.error);
      return null;
    }
    return r.data.todos;
  }
  function place(slots: (WireTodo | undefined)[], page: number, rows: WireTodo[]) {
    const at = page * PAGE_SIZE;
    // Rows added since the count was taken make the result longer; the slots follow.
    for (let i = 0; i < rows.length; i++) slots[at + i] = rows[i];
  }

  /**
   * Takes a new count and refetches the rows on screen, then shows both at once, so a change keeps
   * a long scrolled list in place.
   */
  async function reload() {
    const gen = ++generation;
    clearTimeout(retryTimer);
    inFlight.clear();
    const c = await client.send({ kind: 'todos.counts', search, ...viewParams() });
    if (gen !== generation) return;
    if (!c.ok) {
      health.report(c.error);
      if (retries < RELOAD_RETRIES) retryTimer = setTimeout(() => void reload(), RETRY_MS * 2 ** retries++);
      return;
    }
    retries = 0;
    const total = totalOf(c.data);
    const start = Math.min(shown.start, Math.max(0, total - PAGE_SIZE));
    const pages = pagesFor(start, Math.min(total, Math.max(shown.end, start + PAGE_SIZE)), PAGE_SIZE);
    const got = await Promise.all(pages.map((p) => fetchPage(p, gen)));
    if (gen !== generation) return;
    const slots = new Array<WireTodo | undefined>(total);
    pages.forEach((p, i) => got[i] && place(slots, p, got[i]));
    todos = slots;
    counts = c.data;
    loaded = true;
  }

  function show(start: number, end: number) {
    shown = { start, end };
    const gen = generation;
    // Half a page ahead on each side, so a steady scroll finds its rows already fetched.
    const ahead = PAGE_SIZE / 2;
    for (const p of pagesFor(Math.max(0, start - ahead), Math.min(end + ahead, todos.length), PAGE_SIZE)) {
      if (inFlight.has(p)) continue;
      const from = p * PAGE_SIZE;
      const to = Math.min(todos.length, from + PAGE_SIZE);
      let missing = false;
      for (let i = from; i < to && !missing; i++) missing = todos[i] === undefined;
      if (!missing) continue;
      inFlight.add(p);
      void fetchPage(p, gen).then((rows) => {
        inFlight.delete(p);
        if (!rows || gen !== generation) return;
        const slots = todos.slice();
        place(slots, p, rows);
        todos = slots;
      });
    }
  }
  setContext<ListWindowSource>(WINDOW_KEY, { show });

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
    get hideCompleted() {
      return hideCompleted;
    },
    set hideCompleted(v: boolean) {
      if (v === hideCompleted) return;
      hideCompleted = v;
      // Before the first load, the setting is read first and the first load uses it.
      if (loaded) void reload();
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
    /** While completed todos are hidden, "All" counts the open ones it lists. */
    get counts() {
      return hideCompleted ? { ...counts, all: counts.active } : counts;
    },
    /** Every row has its place in the virtual list; nothing is loaded by "more". */
    get hasMore() {
      return false;
    },
    get loaded() {
      return loaded;
    },
    /** Recounts and refetches the rows on screen (the argument, once a row count to keep, is unused). */
    reload: (_keep?: number) => reload(),
    loadMore: () => {},
    show,
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
