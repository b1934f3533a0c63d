import { describe, expect, it } from 'vitest';
import {
  dueInstant,
  notificationId,
  parseReminderName,
  planAlarms,
  remindAlarmName,
  shouldNotify,
  snoozeAlarm,
  snoozeAlarmName,
  SNOOZE_MS,
  type ReminderCandidate,
} from '../../lib/reminders/reminder-plan';
import { createReminders, type NoticeOptions } from '../../lib/platform/reminders';
import { createPreferences, parsePreferences, PREFERENCES_KEY } from '../../lib/platform/preferences';
import type { Request, Response } from '../../lib/messages/requests';
import { newDeviceId, newTodoId, type TodoId } from '../../lib/model/ids';
import { inTimeZone } from './time-zone';

const DEVICE = newDeviceId();
const [A, B, C, D] = [newTodoId(DEVICE, 1), newTodoId(DEVICE, 2), newTodoId(DEVICE, 3), newTodoId(DEVICE, 4)];
const at = (y: number, mo: number, d: number, h: number, mi: number) =>
  new Date(y, mo - 1, d, h, mi).getTime();
const NOW = at(2026, 12, 2, 10, 0);
const todo = (id: TodoId, due: string | null, completed = false): ReminderCandidate => ({
  id,
  due_date: due,
  completed,
});

describe('reminder names', () => {
  it('round-trips a todo and its due time through an alarm name', () => {
    const k = { id: A, due: '2026-12-05T09:30' };
    expect(parseReminderName(remindAlarmName(k))).toEqual({ ...k, snoozed: false });
    expect(parseReminderName(snoozeAlarmName(k))).toEqual({ ...k, snoozed: true });
    expect(notificationId(k)).toBe(remindAlarmName(k));
  });

  it('rejects other alarms and malformed names', () => {
    for (const name of [
      'tt-due-badge',
      'tt-keep-alive',
      `tt-remind|${A}`,
      `tt-remind|not-an-id|2026-12-05T09:30`,
      `tt-remind|${A}|2026-12-05`,
      `tt-remind|${A}|2026-02-30T09:30`,
      `tt-remind|${A}|2026-12-05T09:30|x`,
    ])
      expect(parseReminderName(name), name).toBeNull();
  });
});

describe('dueInstant', () => {
  it('is the local wall-clock minute of a timed due date, in this device’s zone', () => {
    inTimeZone('America/New_York', () => {
      expect(new Date(dueInstant('2026-12-05T09:30')!).toISOString()).toBe('2026-12-05T14:30:00.000Z');
    });
    inTimeZone('Asia/Tokyo', () => {
      expect(new Date(dueInstant('2026-12-05T09:30')!).toISOString()).toBe('2026-12-05T00:30:00.000Z');
    });
  });

  it('is null for a date without a time or a malformed one', () => {
    expect(dueInstant('2026-12-05')).toBeNull();
    expect(dueInstant('2026-12-05T24:00')).toBeNull();
  });
});

describe('planAlarms', () => {
  it('schedules each open todo with a time still ahead, and nothing else', () => {
    const plan = planAlarms({
      todos: [
        todo(A, '2026-12-02T17:00'),
        todo(B, '2026-12-02T09:00'), // passed
        todo(C, '2026-12-03'), // no time
        { ...todo(D, '2026-12-02T18:00'), completed: true },
      ],
      existing: [],
      now: NOW,
    });
    expect(plan).toEqual({
      create: [{ name: remindAlarmName({ id: A, due: '2026-12-02T17:00' }), when: at(2026, 12, 2, 17, 0) }],
      clear: [],
    });
  });

  it('keeps an alarm already set for the same due time', () => {
    const name = remindAlarmName({ id: A, due: '2026-12-02T17:00' });
    const plan = planAlarms({
      todos: [todo(A, '2026-12-02T17:00')],
      existing: [{ name, scheduledTime: at(2026, 12, 2, 17, 0) }],
      now: NOW,
    });
    expect(plan).toEqual({ create: [], clear: [] });
  });

  it('moves a reminder when its todo is re-dated, and drops it when the todo is completed', () => {
    const old = remindAlarmName({ id: A, due: '2026-12-02T17:00' });
    const other = remindAlarmName({ id: B, due: '2026-12-02T12:00' });
    const plan = planAlarms({
      todos: [todo(A, '2026-12-02T18:15'), todo(B, '2026-12-02T12:00', true)],
      existing: [
        { name: old, scheduledTime: at(2026, 12, 2, 17, 0) },
        { name: other, scheduledTime: at(2026, 12, 2, 12, 0) },
      ],
      now: NOW,
    });
    expect(plan.clear.sort()).toEqual([old, other].sort());
    expect(plan.create).toEqual([
      { name: remindAlarmName({ id: A, due: '2026-12-02T18:15' }), when: at(2026, 12, 2, 18, 15) },
    ]);
  });

  it('drops a future reminder whose todo is gone (deleted, or dated beyond the window)', () => {
    const name = remindAlarmName({ id: A, due: '2026-12-02T17:00' });
    expect(
      planAlarms({ todos: [], existing: [{ name, scheduledTime: at(2026, 12, 2, 17, 0) }], now: NOW }).clear,
    ).toEqual([name]);
  });

  it('leaves an alarm whose time has passed to fire: it was missed while the browser was closed', () => {
    const name = remindAlarmName({ id: A, due: '2026-12-01T17:00' });
    expect(
      planAlarms({ todos: [], existing: [{ name, scheduledTime: at(2026, 12, 1, 17, 0) }], now: NOW }),
    ).toEqual({
      create: [],
      clear: [],
    });
  });

  it('sets again a reminder whose instant changed (the device moved zone)', () => {
    const name = remindAlarmName({ id: A, due: '2026-12-02T17:00' });
    const plan = planAlarms({
      todos: [todo(A, '2026-12-02T17:00')],
      existing: [{ name, scheduledTime: at(2026, 12, 2, 17, 0) + 3_600_000 }],
      now: NOW,
    });
    expect(plan).toEqual({ create: [{ name, when: at(2026, 12, 2, 17, 0) }], clear: [] });
  });

  it('schedules only the soonest `limit` reminders', () => {
    const ids = [A, B, C];
    const plan = planAlarms({
      todos: [todo(C, '2026-12-04T08:00'), todo(A, '2026-12-02T11:00'), todo(B, '2026-12-03T08:00')],
      existing: [],
      now: NOW,
      limit: 2,
    });
    expect(plan.create.map((a) => parseReminderName(a.name)?.id)).toEqual([ids[0], ids[1]]);
  });

  it('keeps a snooze unless its todo is known to be done or re-dated', () => {
    const key = { id: A, due: '2026-12-02T09:00' };
    const snooze = { name: snoozeAlarmName(key), scheduledTime: NOW + SNOOZE_MS / 2 };
    expect(planAlarms({ todos: [], existing: [snooze], now: NOW }).clear).toEqual([]);
    expect(planAlarms({ todos: [todo(A, key.due)], existing: [snooze], now: NOW }).clear).toEqual([]);
    expect(planAlarms({ todos: [todo(A, key.due, true)], existing: [snooze], now: NOW }).clear).toEqual([
      snooze.name,
    ]);
    expect(planAlarms({ todos: [todo(A, '2026-12-03T09:00')], existing: [snooze], now: NOW }).clear).toEqual([
      snooze.name,
    ]);
  });

  it('ignores alarms that are not reminders', () => {
    expect(
      planAlarms({ todos: [], existing: [{ name: 'tt-due-badge', scheduledTime: NOW + 1 }], now: NOW }),
    ).toEqual({
      create: [],
      clear: [],
    });
  });
});

describe('shouldNotify and snooze', () => {
  const key = { id: A, due: '2026-12-02T09:00' };
  const t = { due_date: key.due, completed: false, deleted: false };
  it('notifies only for an open, undeleted todo still due at the same time', () => {
    expect(shouldNotify(key, t)).toBe(true);
    expect(shouldNotify(key, null)).toBe(false);
    expect(shouldNotify(key, { ...t, completed: true })).toBe(false);
    expect(shouldNotify(key, { ...t, deleted: true })).toBe(false);
    expect(shouldNotify(key, { ...t, due_date: '2026-12-02T10:00' })).toBe(false);
  });
  it('snoozes for an hour under the snooze name', () => {
    expect(snoozeAlarm(key, NOW)).toEqual({ name: snoozeAlarmName(key), when: NOW + 3_600_000 });
  });
});

describe('preferences', () => {
  it('defaults to reminders off and the badge on, also for a mangled value', () => {
    expect(parsePreferences(undefined)).toEqual({ reminders: false, badge: true, hideCompleted: false });
    expect(parsePreferences({ reminders: 'yes', badge: 0 })).toEqual({
      reminders: false,
      badge: true,
      hideCompleted: false,
    });
    expect(parsePreferences('x')).toEqual({ reminders: false, badge: true, hideCompleted: false });
  });
  it('changes one setting and keeps the others', async () => {
    const store: Record<string, unknown> = {};
    const prefs = createPreferences({
      get: async (k) => ({ [k]: store[k] }),
      set: async (items) => void Object.assign(store, items),
    });
    await prefs.update({ badge: false });
    await prefs.update({ hideCompleted: true });
    const all = { reminders: true, badge: false, hideCompleted: true };
    expect(await prefs.update({ reminders: true })).toEqual(all);
    expect(store[PREFERENCES_KEY]).toEqual(all);
  });
});

/** The background's reminders over fake alarms, notifications and a tiny in-memory database. */
function harness(opts: { buttons?: boolean; enabled?: boolean } = {}) {
  const todos = new Map<
    string,
    { id: TodoId; title: string; due_date: string | null; completed: boolean; deleted: boolean }
  >();
  const alarms = new Map<string, number>();
  const shown: { id: string; options: NoticeOptions }[] = [];
  const cleared: string[] = [];
  const opened: number[] = [];
  const listeners: {
    alarm?: (a: { name: string }) => void;
    button?: (id: string, i: number) => void;
    click?: (id: string) => void;
  } = {};
  let now = NOW;
  let enabled = opts.enabled ?? true;
  const wire = (t: typeof todos extends Map<string, infer V> ? V : never) => ({
    ...t,
    description: null,
    priority: 'medium',
    device_id: DEVICE,
    created_at: 0,
    updated_at: 0,
  });
  const request = async (r: Request): Promise<Response> => {
    switch (r.kind) {
      case 'todos.page': {
        const day = r.query.now!.slice(0, 10);
        const rows = [...todos.values()]
          .filter((t) => !t.completed && !t.deleted && t.due_date !== null)
          .filter((t) =>
            r.query.view === 'today' ? t.due_date!.slice(0, 10) === day : t.due_date!.slice(0, 10) > day,
          )
          .sort((a, b) => (a.due_date! < b.due_date! ? -1 : 1));
        return { ok: true, data: { todos: rows.map(wire), next: null } };
      }
      case 'todos.get': {
        const t = todos.get(r.id);
        return { ok: true, data: t ? wire(t) : null };
      }
      case 'todos.update': {
        const t = todos.get(r.id)!;
        Object.assign(t, r.patch);
        return { ok: true, data: wire(t) };
      }
      default:
        return { ok: false, error: { code: 'bad_request', message: r.kind } };
    }
  };
  const reminders = createReminders({
    alarms: {
      getAll: async () => [...alarms].map(([name, scheduledTime]) => ({ name, scheduledTime })),
      create: (name, { when }) => void alarms.set(name, when),
      clear: async (name) => alarms.delete(name),
      onAlarm: { addListener: (fn) => void (listeners.alarm = fn) },
    },
    notifications: () => ({
      create: async (id, options) => void shown.push({ id, options }),
      clear: async (id) => void cleared.push(id),
      onClicked: { addListener: (fn) => void (listeners.click = fn) },
      onButtonClicked: { addListener: (fn) => void (listeners.button = fn) },
    }),
    channel: { request },
    enabled: async () => enabled,
    buttons: opts.buttons ?? true,
    iconUrl: 'icon.png',
    openList: async () => void opened.push(now),
    now: () => now,
  });
  return {
    todos,
    alarms,
    shown,
    cleared,
    opened,
    reminders,
    listeners,
    add: (id: TodoId, title: string, due: string | null) =>
      todos.set(id, { id, title, due_date: due, completed: false, deleted: false }),
    setNow: (t: number) => void (now = t),
    setEnabled: (on: boolean) => void (enabled = on),
  };
}

describe('reminders in the background', () => {
  it('sets alarms from the database, notifies with the todo’s title when one fires, and completes from the button', async () => {
    const h = harness();
    h.add(A, 'Call Bob', '2026-12-02T17:00');
    h.add(B, 'Someday', null);
    await h.reminders.reconcile();
    const name = remindAlarmName({ id: A, due: '2026-12-02T17:00' });
    expect([...h.alarms]).toEqual([[name, at(2026, 12, 2, 17, 0)]]);

    h.setNow(at(2026, 12, 2, 17, 0));
    const options = await h.reminders.onAlarm({ name });
    expect(options?.title).toBe('Call Bob');
    expect(options?.buttons).toEqual([{ title: 'Complete' }, { title: 'Snooze 1 hour' }]);
    expect(h.shown.map((s) => s.id)).toEqual([name]);

    h.listeners.button!(name, 0);
    await expect.poll(() => h.todos.get(A)!.completed).toBe(true);
    expect(h.cleared).toEqual([name]);
  });

  it('snoozes for an hour, and the snooze notifies again under the same id', async () => {
    const h = harness();
    h.add(A, 'Call Bob', '2026-12-02T09:00');
    const name = remindAlarmName({ id: A, due: '2026-12-02T09:00' });
    expect(await h.reminders.onButton(name, 1)).toBe(true);
    const snooze = snoozeAlarmName({ id: A, due: '2026-12-02T09:00' });
    expect(h.alarms.get(snooze)).toBe(NOW + SNOOZE_MS);
    await h.reminders.reconcile(); // a later change does not cancel the snooze
    expect(h.alarms.has(snooze)).toBe(true);
    expect((await h.reminders.onAlarm({ name: snooze }))?.title).toBe('Call Bob');
    expect(h.shown.map((s) => s.id)).toEqual([name]);
  });

  it('does not notify for a todo completed, deleted or re-dated after its alarm was set', async () => {
    const h = harness();
    h.add(A, 'Done already', '2026-12-02T11:00');
    h.add(B, 'Moved', '2026-12-02T11:00');
    const name = (id: TodoId) => remindAlarmName({ id, due: '2026-12-02T11:00' });
    h.todos.get(A)!.completed = true;
    h.todos.get(B)!.due_date = '2026-12-02T12:00';
    expect(await h.reminders.onAlarm({ name: name(A) })).toBeNull();
    expect(await h.reminders.onAlarm({ name: name(B) })).toBeNull();
    expect(await h.reminders.onAlarm({ name: name(C) })).toBeNull();
    expect(h.shown).toEqual([]);
  });

  it('clears every reminder and shows nothing once reminders are off', async () => {
    const h = harness();
    h.add(A, 'Call Bob', '2026-12-02T17:00');
    await h.reminders.reconcile();
    h.alarms.set('tt-due-badge', NOW + 1);
    h.setEnabled(false);
    await h.reminders.reconcile();
    expect([...h.alarms.keys()]).toEqual(['tt-due-badge']);
    expect(
      await h.reminders.onAlarm({ name: remindAlarmName({ id: A, due: '2026-12-02T17:00' }) }),
    ).toBeNull();
  });

  it('shows no buttons where notifications have none (Firefox), and a click opens the list', async () => {
    const h = harness({ buttons: false });
    h.add(A, 'Call Bob', '2026-12-02T09:00');
    const name = remindAlarmName({ id: A, due: '2026-12-02T09:00' });
    const options = await h.reminders.onAlarm({ name });
    expect(options).not.toHaveProperty('buttons');
    expect(options?.message).toMatch(/Click to open your list/);
    h.listeners.click!(name);
    await expect.poll(() => h.opened.length).toBe(1);
    expect(h.cleared).toEqual([name]);
  });

  it('folds changes that arrive during a reconcile into one more run', async () => {
    const h = harness();
    h.add(A, 'First', '2026-12-02T17:00');
    const first = h.reminders.reconcile();
    h.add(B, 'Second', '2026-12-02T18:00');
    const second = h.reminders.reconcile();
    await Promise.all([first, second]);
    expect(h.alarms.size).toBe(2);
  });
});
