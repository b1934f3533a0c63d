/**
 * The read side: keyset-paginated lists, counts and single lookups. Every sort is one key (a number,
 * or the due date's text) plus the id as tie-break, so a page is "rows after (key, id)" whatever the
 * sort, and a 10k-row list never ships more than one page over messaging.
 */
import type { Counts, Cursor, Filter, Page, PageQuery, Sort } from '../messages/todo-schema';
import type { TodoId } from '../model/ids';
import { addDays, UPCOMING_DAYS, type View } from '../model/views';
import type { Todo } from '../model/todo';
import type { Sql, SqlValue } from './sql';
import { TODO_COLUMNS, todoFromRow, type TodoRow } from './todo-row';

/**
 * Due dates are `YYYY-MM-DD[THH:MM]` text, which sorts chronologically; '~' sorts after every digit,
 * so todos without a due date come after those with one.
 */
const NO_DUE = "'~'";
const SPAN = 100_000_000_000_000; // > any ms timestamp until year 5138

/**
 * Completed todos sink below the open ones in every sort (issue 12): each key puts `completed` first,
 * folded into one value so a page is still "rows after (key, id)". Each key is the expression of an
 * index (migration 6 in lib/db/migrations.ts), so every sort walks its index in order and stops at the page
 * size instead of sorting the live rows (100,000 rows: a scan and sort took ~100 ms per page).
 * The text here and in the index must stay the same expression, or SQLite cannot use the index.
 */
const SORTS: Record<Sort, { key: string; dir: 'ASC' | 'DESC' }> = {
  // newest first; a completed todo's key is pushed below every open one's
  created: { key: `(created_at - completed * ${SPAN})`, dir: 'DESC' },
  // soonest due first, undated last ('0…' open, '1…' completed)
  due: { key: `(completed || IFNULL(due_date, ${NO_DUE}))`, dir: 'ASC' },
  // open before completed, then high → low, newest first within a priority
  priority: {
    key: `((completed * 3 + (CASE priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END)) * ${SPAN} + (${SPAN - 1} - created_at))`,
    dir: 'ASC',
  },
};

/** The list's filters as SQL; the export of the current filter uses the same (lib/db/backup-store.ts). */
export const FILTER_SQL: Record<Filter, string> = {
  all: '',
  active: ' AND completed = 0',
  completed: ' AND completed = 1',
};

/** `%`, `_` and the escape character itself match literally in a LIKE … ESCAPE '\' pattern. */
export function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function searchClause(search: string): { sql: string; params: SqlValue[] } {
  const s = search.trim();
  if (!s) return { sql: '', params: [] };
  const p = likePattern(s);
  return { sql: " AND (title LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\')", params: [p, p] };
}

/**
 * Date views (lib/model/views.ts, `inView` says the same in TypeScript). Due dates are text
 * (`YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`, the column's CHECK), so a day is the range from `day` to
 * `dayT99:99` and "before this minute" a text comparison; a day without a time is overdue only once
 * the day has passed. Each view is a range of due_date, so it walks idx_todos_due (deleted, due_date)
 * over the todos in range instead of reading all 100,000 (the badge, reminders and the popup ask
 * after every change).
 */
function viewClause(view: View, now: string): { sql: string; params: SqlValue[] } {
  const today = now.slice(0, 10);
  const endOf = (day: string) => `${day}T99:99`;
  switch (view) {
    case 'all':
      return { sql: '', params: [] };
    case 'today':
      return { sql: ' AND due_date >= ? AND due_date <= ?', params: [today, endOf(today)] };
    case 'upcoming':
      return {
        sql: ' AND due_date > ? AND due_date <= ?',
        params: [endOf(today), endOf(addDays(today, UPCOMING_DAYS))],
      };
    case 'overdue':
      // Before this minute; and a date without a time only before today.
      return {
        sql: ' AND completed = 0 AND due_date < ? AND (length(due_date) = 16 OR due_date < ?)',
        params: [now, today],
      };
    case 'due':
      return { sql: ' AND completed = 0 AND due_date <= ?', params: [endOf(today)] };
  }
}
/**
 * In a date view: by day, completed todos below the open ones of their day, then by time
 * ('2026-12-05|0|2026-12-05T09:30'), so Upcoming's day groups stay whole.
 */
const VIEW_KEY = `(substr(due_date, 1, 10) || '|' || completed || '|' || due_date)`;

export interface TodoQueries {
  page(q: PageQuery): Page;
  counts(search: string, view?: { view: View; now: string }): Counts;
  get(id: TodoId): Todo | null;
}

export function createTodoQueries(sql: Sql): TodoQueries {
  return {
    page(q) {
      const dated = q.view !== undefined && q.view !== 'all' && q.now !== undefined;
      const { key, dir } = dated ? { key: VIEW_KEY, dir: 'ASC' as const } : SORTS[q.sort];
      const cmp = dir === 'ASC' ? '>' : '<';
      const s = searchClause(q.search);
      const v = dated ? viewClause(q.view!, q.now!) : { sql: '', params: [] };
      const params: SqlValue[] = [...s.params, ...v.params];
      let after = '';
      if (q.cursor && q.cursor.key !== null) {
        after = ` AND (${key} ${cmp} ? OR (${key} = ? AND id ${cmp} ?))`;
        params.push(q.cursor.key, q.cursor.key, q.cursor.id);
      }
      // One row beyond the page tells whether there is a next page without a second query.
      // An offset walks the index too (a few ms per 10k rows skipped), but only one page crosses
      // messaging, so a virtual list reaches row 99,900 in one request instead of 500 pages.
      params.push(q.limit + 1, q.cursor ? 0 : (q.offset ?? 0));
      const rows = sql.all<TodoRow & { k: number | string }>(
        `SELECT ${TODO_COLUMNS}, ${key} AS k FROM todos WHERE deleted = 0${FILTER_SQL[q.filter]}${s.sql}${v.sql}${after}
         ORDER BY ${key} ${dir}, id ${dir} LIMIT ? OFFSET ?`,
        params,
      );
      const more = rows.length > q.limit;
      const pageRows = more ? rows.slice(0, q.limit) : rows;
      const last = pageRows[pageRows.length - 1];
      const next: Cursor | null = more && last ? { key: last.k, id: last.id as TodoId } : null;
      return { todos: pageRows.map(todoFromRow), next };
    },
    counts(search, view) {
      const s = searchClause(search);
      const v = view ? viewClause(view.view, view.now) : { sql: '', params: [] };
      const r = sql.get<{ all: number; completed: number | null }>(
        `SELECT count(*) AS "all", sum(completed) AS completed FROM todos WHERE deleted = 0${s.sql}${v.sql}`,
        [...s.params, ...v.params],
      );
      const all = r?.all ?? 0;
      const completed = r?.completed ?? 0;
      return { all, completed, active: all - completed };
    },
    get(id) {
      const r = sql.get<TodoRow>(`SELECT ${TODO_COLUMNS} FROM todos WHERE id = ?`, [id]);
      return r ? todoFromRow(r) : null;
    },
  };
}
