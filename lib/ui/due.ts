/**
 * Due dates in the UI. They are floating calendar dates (lib/model/due-date.ts), so showing one
 * never goes through this device's zone: the parts are formatted as a UTC instant with
 * `timeZone: 'UTC'`, which prints exactly the stored day and time (a local Date would shift a time
 * that falls in a DST gap, e.g. 02:30 on the spring-forward night).
 */
import { localDateTime, parseDueDate } from '../model/due-date';

/** Overdue, for todos not yet done: a day once it has fully passed here; a day and time once that minute has. */
export function isOverdue(due: string | null, completed: boolean, now: number = Date.now()): boolean {
  if (due === null || completed) return false;
  const here = localDateTime(now);
  // Same-shaped text compares chronologically.
  return due.length === 10 ? due < here.slice(0, 10) : due < here;
}

export function formatDue(due: string, locale?: string): string {
  const p = parseDueDate(due);
  if (!p) return due;
  const d = new Date(0);
  // setUTCFullYear, not Date.UTC: the latter reads years 0–99 as 1900–1999.
  d.setUTCFullYear(p.year, p.month - 1, p.day);
  d.setUTCHours(p.time?.hour ?? 0, p.time?.minute ?? 0, 0, 0);
  return d.toLocaleString(locale, {
    timeZone: 'UTC',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    ...(p.time ? { hour: 'numeric', minute: '2-digit' } : {}),
  });
}

/** A day heading: "Thursday, Dec 3" (through UTC, like formatDue). */
export function formatDay(day: string, locale?: string): string {
  const p = parseDueDate(day.slice(0, 10));
  if (!p) return day;
  const d = new Date(0);
  d.setUTCFullYear(p.year, p.month - 1, p.day);
  return d.toLocaleDateString(locale, { timeZone: 'UTC', weekday: 'long', month: 'short', day: 'numeric' });
}
