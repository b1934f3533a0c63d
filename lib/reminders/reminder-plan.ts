/**
 * Reminders (issue 12), the pure part: which todos get an alarm, when, and whether a fired alarm
 * still deserves a notification. No browser API here; lib/platform/reminders.ts wires it to
 * `alarms` and `notifications`.
 *
 * The schedule lives in the browser's alarms themselves, one per reminder, named after the todo and
 * the due date it reminds of (`tt-remind|<id>|2026-12-05T09:30`). Alarms outlive the background (an
 * MV3 service worker or event page sleeps between events) and fire late after the computer slept or
 * the browser was closed, so they need no other store: a reminder has fired once its alarm is gone,
 * and a todo re-dated to another time gets a new name, so a new reminder. A snooze is an alarm of
 * its own (`tt-snooze|…`) for the same todo and due date.
 */
import { parseDueDate } from '../model/due-date';
import { isTodoId, type TodoId } from '../model/ids';

export const REMIND_PREFIX = 'tt-remind|';
export const SNOOZE_PREFIX = 'tt-snooze|';
export const SNOOZE_MS = 60 * 60_000;
/**
 * At most this many reminders are scheduled ahead, the soonest first; the periodic refresh moves
 * the window on. Chrome 117+ refuses more than 500 alarms per extension.
 */
export const REMINDERS_AHEAD = 100;

export interface ReminderKey {
  id: TodoId;
  /** The due date (with time) the reminder is for, `YYYY-MM-DDTHH:MM`. */
  due: string;
}

/** What the plan needs to know of a todo. */
export interface ReminderCandidate {
  id: TodoId;
  due_date: string | null;
  completed: boolean;
}

export interface ExistingAlarm {
  name: string;
  scheduledTime: number;
}

export const remindAlarmName = (k: ReminderKey) => `${REMIND_PREFIX}${k.id}|${k.due}`;
export const snoozeAlarmName = (k: ReminderKey) => `${SNOOZE_PREFIX}${k.id}|${k.due}`;
/** A notification is named like its reminder alarm, whether a snooze brought it back or not. */
export const notificationId = remindAlarmName;

/** The todo and due date an alarm or notification name stands for; null for any other name. */
export function parseReminderName(name: string): (ReminderKey & { snoozed: boolean }) | null {
  const snoozed = name.startsWith(SNOOZE_PREFIX);
  if (!snoozed && !name.startsWith(REMIND_PREFIX)) return null;
  const [id, due, ...rest] = name.slice(REMIND_PREFIX.length).split('|');
  if (rest.length > 0 || id === undefined || due === undefined || !isTodoId(id)) return null;
  if (dueInstant(due) === null) return null;
  return { id, due, snoozed };
}

/**
 * The instant a floating due date and time falls on in this device's zone (ms), or null for a date
 * without a time (those never remind: there is no moment to pick). A time that a DST change skips
 * (02:30 on the spring-forward night) moves forward with `Date`, to 03:30.
 */
export function dueInstant(due: string): number | null {
  const p = parseDueDate(due);
  if (!p || !p.time) return null;
  const d = new Date(0);
  d.setFullYear(p.year, p.month - 1, p.day);
  d.setHours(p.time.hour, p.time.minute, 0, 0);
  return d.getTime();
}

export interface AlarmPlan {
  create: { name: string; when: number }[];
  clear: string[];
}

/**
 * The alarm changes that bring `existing` in line with `todos` at `now`.
 *
 * `todos` are what the background read: the open todos of a window of days (today and the next
 * week); a todo missing from it may be completed, deleted or dated beyond the window. Each open todo
 * with a time still ahead gets a reminder alarm (the `limit` soonest). A reminder alarm that is no
 * longer wanted is cleared if it lies ahead; one whose time has passed is about to fire (the browser
 * was asleep or closed) and is left alone, since the fired alarm is checked against the todo
 * (`shouldNotify`). A snooze is cleared only when its todo is known to be done or re-dated.
 */
export function planAlarms(input: {
  todos: readonly ReminderCandidate[];
  existing: readonly ExistingAlarm[];
  now: number;
  limit?: number;
}): AlarmPlan {
  const { now } = input;
  const wanted = new Map<string, number>();
  const known = new Map<string, ReminderCandidate>();
  const ahead: { name: string; when: number }[] = [];
  for (const t of input.todos) {
    known.set(t.id, t);
    if (t.completed || t.due_date === null) continue;
    const when = dueInstant(t.due_date);
    if (when !== null && when > now)
      ahead.push({ name: remindAlarmName({ id: t.id, due: t.due_date }), when });
  }
  ahead.sort((a, b) => a.when - b.when || (a.name < b.name ? -1 : 1));
  for (const a of ahead.slice(0, input.limit ?? REMINDERS_AHEAD)) wanted.set(a.name, a.when);

  const plan: AlarmPlan = { create: [], clear: [] };
  const have = new Set<string>();
  for (const a of input.existing) {
    const key = parseReminderName(a.name);
    if (!key) continue;
    if (key.snoozed) {
      const t = known.get(key.id);
      if (t && (t.completed || t.due_date !== key.due)) plan.clear.push(a.name);
      continue;
    }
    const when = wanted.get(a.name);
    if (when === undefined) {
      if (a.scheduledTime > now) plan.clear.push(a.name);
    } else if (a.scheduledTime === when) have.add(a.name);
    // Otherwise the zone changed since it was set: creating it again under its name replaces it.
  }
  for (const [name, when] of wanted) if (!have.has(name)) plan.create.push({ name, when });
  return plan;
}

/**
 * Whether a fired alarm still reminds: its todo exists, is open and still due at the same date and
 * time. A todo completed, deleted or re-dated since the alarm was set says nothing.
 */
export function shouldNotify(
  key: ReminderKey,
  todo: { due_date: string | null; completed: boolean; deleted: boolean } | null,
): boolean {
  return todo !== null && !todo.deleted && !todo.completed && todo.due_date === key.due;
}

/** The snooze alarm for a reminder: the same todo and due date, an hour from now. */
export const snoozeAlarm = (key: ReminderKey, now: number) => ({
  name: snoozeAlarmName(key),
  when: now + SNOOZE_MS,
});
