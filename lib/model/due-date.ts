/**
 * Due dates are calendar dates, optionally with a time of day, in floating local time: the text
 * `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` (24-hour), with no zone. "2026-12-05T09:30" means 09:30 on
 * 5 December on every device, whatever its time zone, like a paper diary. They used to be ms at the
 * creating device's local midnight, which another zone read as a different day (issue 12);
 * migration 2 (lib/db/migrations.ts) converts those.
 *
 * The text sorts chronologically as plain text (a day without a time sorts before the same day's
 * timed ones), so SQL orders by the column as it is.
 */

export type DueDate = string & { readonly __brand: 'DueDate' };

/** Digits only; ranges are checked by isDueDate (months 01–12, real days, 00:00–23:59, year ≥ 1). */
export const DUE_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/;
/** `YYYY-MM-DDTHH:MM`. */
export const DUE_DATE_MAX_LENGTH = 16;

export interface DueParts {
  year: number;
  month: number;
  day: number;
  /** null for a date without a time of day */
  time: { hour: number; minute: number } | null;
}

const daysIn = (year: number, month: number) =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31;

/** The parts of a due date, or null if it is not one (wrong shape or no such day or time). */
export function parseDueDate(s: unknown): DueParts | null {
  if (typeof s !== 'string') return null;
  const m = DUE_DATE_RE.exec(s);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (m[4] === undefined) return { year, month, day, time: null };
  const [hour, minute] = [Number(m[4]), Number(m[5])];
  if (hour > 23 || minute > 59) return null;
  return { year, month, day, time: { hour, minute } };
}

export const isDueDate = (s: unknown): s is DueDate => parseDueDate(s) !== null;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * From an `<input type=date>` and an optional `<input type=time>` value (`HH:MM`, or `HH:MM:SS`
 * when a browser adds seconds, which are dropped). Empty date → null (no due date); a time without
 * a date is not a due date either. Undefined when the text is not a real date or time.
 */
export function dueDateFromInputs(date: string, time: string): DueDate | null | undefined {
  if (date === '') return null;
  const t = /^(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/.exec(time);
  if (time !== '' && !t) return undefined;
  const s = t ? `${date}T${t[1]}:${t[2]}` : date;
  return isDueDate(s) ? s : undefined;
}

/** The values for `<input type=date>` and `<input type=time>` (empty strings when unset). */
export function dueDateToInputs(due: string | null): { date: string; time: string } {
  if (due === null) return { date: '', time: '' };
  return { date: due.slice(0, 10), time: due.slice(11, 16) };
}

/**
 * The local wall-clock date and minute of an instant, in this device's time zone:
 * `YYYY-MM-DDTHH:MM`. Overdue checks compare due dates against it as text.
 */
export function localDateTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * Migration rule for the old ms values: the calendar day the instant falls on in this device's
 * zone, which is the day it was set on when this device (or one in its zone) set it, and the only
 * information there is. The time of day is dropped: the old UI only ever chose a day (at local
 * midnight). Null when the instant is outside years 1–9999.
 */
export function dueDateFromLegacyMs(ms: number): DueDate | null {
  if (!Number.isFinite(ms)) return null;
  const day = localDateTime(ms).slice(0, 10);
  return isDueDate(day) ? day : null;
}
