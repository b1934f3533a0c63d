/** The popup's quick re-dating: Today, Tomorrow, Next week, keeping a todo's time of day. */
import { isDueDate, type DueDate } from '../model/due-date';
import { addDays } from '../model/views';

/** `now` is the local `YYYY-MM-DDTHH:MM`. "Next week" is its Monday, as in quick add. */
export function quickDates(now: string): { label: string; day: string }[] {
  const today = now.slice(0, 10);
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return [
    { label: 'Today', day: today },
    { label: 'Tomorrow', day: addDays(today, 1) },
    { label: 'Next week', day: addDays(today, (8 - weekday) % 7 || 7) },
  ];
}

/** The due date moved to `day` (`YYYY-MM-DD`) with the time of day it had; null if `day` is not a day. */
export function moveDue(due: string | null, day: string): DueDate | null {
  const s = `${day}${due && due.length > 10 ? due.slice(10) : ''}`;
  return isDueDate(s) ? s : null;
}
