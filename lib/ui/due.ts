/** Due dates are stored as ms at local midnight of the chosen day; the UI speaks in `yyyy-mm-dd`. */

export function dueFromInput(value: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).getTime();
}

export function dueToInput(due: number | null): string {
  if (due === null) return '';
  const d = new Date(due);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** Overdue once the due day has fully passed, for todos not yet done. */
export function isOverdue(due: number | null, completed: boolean, now: number = Date.now()): boolean {
  if (due === null || completed) return false;
  const startOfToday = new Date(now);
  startOfToday.setHours(0, 0, 0, 0);
  return due < startOfToday.getTime();
}

export function formatDue(due: number): string {
  return new Date(due).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}
