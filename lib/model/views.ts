/**
 * The date views (issue 12): Today, Upcoming (the next 7 days after today), Overdue and All. A view
 * is decided against the person's own day and minute, which the page sends (`now`, local
 * `YYYY-MM-DDTHH:MM`): due dates are floating, and the DB worker's zone need not be the page's.
 */
import { parseDueDate } from './due-date';

/** `due`: open todos due today or before (the popup's lists and the toolbar badge together). */
export const VIEWS = ['today', 'upcoming', 'overdue', 'due', 'all'] as const;
export type View = (typeof VIEWS)[number];
export const UPCOMING_DAYS = 7;

/** `YYYY-MM-DD` plus `n` calendar days (through UTC: no zone, no DST gap). */
export function addDays(day: string, n: number): string {
  const p = parseDueDate(day.slice(0, 10));
  if (!p) throw new Error(`not a day: ${day}`);
  const d = new Date(0);
  d.setUTCFullYear(p.year, p.month - 1, p.day + n);
  const pad = (x: number, w = 2) => String(x).padStart(w, '0');
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/**
 * Whether a todo belongs to a view at `now`. The SQL in lib/db/todo-queries.ts says the same; the
 * unit tests hold the two together.
 */
export function inView(
  view: View,
  todo: { due_date: string | null; completed: boolean },
  now: string,
): boolean {
  const due = todo.due_date;
  const today = now.slice(0, 10);
  switch (view) {
    case 'all':
      return true;
    case 'today':
      return due !== null && due.slice(0, 10) === today;
    case 'upcoming':
      return due !== null && due.slice(0, 10) > today && due.slice(0, 10) <= addDays(today, UPCOMING_DAYS);
    case 'overdue':
      return due !== null && !todo.completed && (due.length === 10 ? due < today : due < now);
    case 'due':
      return due !== null && !todo.completed && due.slice(0, 10) <= today;
  }
}
