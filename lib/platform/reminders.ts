/**
 * Reminders (issue 12), the browser side: keeps one alarm per upcoming due time
 * (lib/reminders/reminder-plan.ts decides which), shows a notification when one fires, and acts on
 * its buttons. Runs in the background, so it works with every extension page closed: an alarm wakes
 * Chrome's service worker or Firefox's event page, whose listeners must be added in its first turn.
 *
 * Chrome's notifications have buttons, "Complete" and "Snooze 1 hour". Firefox's have none (it
 * rejects the `buttons` option): there the notification says what it is about and a click opens the
 * list in a tab (`sidebarAction.open` only works inside a user action, and a notification click is
 * not one), where the todo can be completed or re-dated. A click on Chrome's does the same.
 */
import type { DbChannel } from './page-router';
import { pageSchema, PAGE_MAX, todoSchema, type Cursor, type WireTodo } from '../messages/todo-schema';
import { localDateTime } from '../model/due-date';
import { formatDue } from '../ui/due';
import {
  notificationId,
  parseReminderName,
  planAlarms,
  REMINDERS_AHEAD,
  shouldNotify,
  snoozeAlarm,
  type ExistingAlarm,
  type ReminderCandidate,
  type ReminderKey,
} from '../reminders/reminder-plan';

export const COMPLETE_BUTTON = 0;
export const SNOOZE_BUTTON = 1;

export interface ReminderAlarms {
  getAll(): Promise<ExistingAlarm[]>;
  create(name: string, info: { when: number }): unknown;
  clear(name: string): Promise<unknown>;
  onAlarm: { addListener(fn: (a: { name: string }) => void): void };
}
export interface NoticeOptions {
  type: 'basic';
  iconUrl: string;
  title: string;
  message: string;
  buttons?: { title: string }[];
}
/** `browser.notifications`, present only once the optional permission is granted. */
export interface NotificationsApi {
  create(id: string, options: NoticeOptions): Promise<unknown>;
  clear(id: string): Promise<unknown>;
  onClicked: { addListener(fn: (id: string) => void): void };
  onButtonClicked?: { addListener(fn: (id: string, index: number) => void): void };
}

export interface ReminderDeps {
  alarms: ReminderAlarms;
  notifications: () => NotificationsApi | undefined;
  channel: DbChannel;
  /** The setting is on and the permission granted. */
  enabled: () => Promise<boolean>;
  /** Whether notifications can carry buttons (Chrome yes, Firefox no). */
  buttons: boolean;
  iconUrl: string;
  /** Shows the list, where the todo is (a click on the notification). */
  openList: () => Promise<unknown>;
  now?: () => number;
  /** Tests: what each shown notification said. */
  onShown?: (id: string, options: NoticeOptions) => void;
}

/** The open todos of today and the next week, soonest first, until `limit` are still ahead. */
async function readCandidates(
  channel: DbChannel,
  now: number,
  limit: number,
): Promise<ReminderCandidate[] | null> {
  const out: WireTodo[] = [];
  const here = localDateTime(now);
  let ahead = 0;
  for (const view of ['today', 'upcoming'] as const) {
    let cursor: Cursor | null = null;
    do {
      const r = await channel.request({
        kind: 'todos.page',
        query: { filter: 'active', sort: 'due', search: '', cursor, limit: PAGE_MAX, view, now: here },
      });
      if (!r.ok) return null;
      const page = pageSchema.safeParse(r.data);
      if (!page.success) return null;
      for (const t of page.data.todos) {
        out.push(t);
        if (t.due_date !== null && t.due_date.length > 10 && t.due_date > here) ahead++;
      }
      cursor = page.data.next;
    } while (cursor && ahead < limit);
    if (ahead >= limit) break;
  }
  return out;
}

export function createReminders(deps: ReminderDeps) {
  const { alarms, channel } = deps;
  const now = deps.now ?? Date.now;
  const ours = (name: string) => parseReminderName(name) !== null;

  async function clearAll(): Promise<void> {
    for (const a of await alarms.getAll()) if (ours(a.name)) await alarms.clear(a.name);
  }

  async function reconcileOnce(): Promise<void> {
    if (!(await deps.enabled())) return clearAll();
    const t = now();
    const todos = await readCandidates(channel, t, REMINDERS_AHEAD);
    if (todos === null) return; // the database cannot say now; the next change or refresh will
    const plan = planAlarms({ todos, existing: await alarms.getAll(), now: t });
    for (const name of plan.clear) await alarms.clear(name);
    for (const a of plan.create) alarms.create(a.name, { when: a.when });
  }

  // One reconcile at a time; changes arriving meanwhile fold into one more run after it.
  let running: Promise<void> | null = null;
  let again = false;
  function reconcile(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await reconcileOnce();
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  }

  async function readTodo(id: string): Promise<WireTodo | null> {
    const r = await channel.request({ kind: 'todos.get', id: id as WireTodo['id'] });
    if (!r.ok) return null;
    const t = todoSchema.nullable().safeParse(r.data);
    return t.success ? t.data : null;
  }

  /** A fired alarm: the notification, if the todo is still open and due then. */
  async function onAlarm(alarm: { name: string }): Promise<NoticeOptions | null> {
    const key = parseReminderName(alarm.name);
    const api = deps.notifications();
    if (!key || !api || !(await deps.enabled())) return null;
    const todo = await readTodo(key.id);
    if (!todo || !shouldNotify(key, todo)) return null;
    const options: NoticeOptions = {
      type: 'basic',
      iconUrl: deps.iconUrl,
      // Plain text: notifications do not render markup, so a synced title cannot inject any.
      title: todo.title,
      message: deps.buttons
        ? `Due ${formatDue(key.due)}`
        : `Due ${formatDue(key.due)}. Click to open your list.`,
      ...(deps.buttons ? { buttons: [{ title: 'Complete' }, { title: 'Snooze 1 hour' }] } : {}),
    };
    const id = notificationId(key);
    await api.create(id, options);
    deps.onShown?.(id, options);
    return options;
  }

  async function done(id: string): Promise<void> {
    await deps.notifications()?.clear(id);
  }

  /** "Complete" (0) or "Snooze 1 hour" (1) on a notification. */
  async function onButton(id: string, index: number): Promise<boolean> {
    const key: ReminderKey | null = parseReminderName(id);
    if (!key) return false;
    let ok = true;
    if (index === COMPLETE_BUTTON) {
      const r = await channel.request({ kind: 'todos.update', id: key.id, patch: { completed: true } });
      ok = r.ok;
    } else if (index === SNOOZE_BUTTON) {
      const s = snoozeAlarm({ id: key.id, due: key.due }, now());
      alarms.create(s.name, { when: s.when });
    } else return false;
    await done(id);
    return ok;
  }

  async function onClicked(id: string): Promise<void> {
    if (!parseReminderName(id)) return;
    await deps.openList();
    await done(id);
  }

  /** Listeners on `notifications`, once it exists (at start, or when the permission is granted). */
  let listening = false;
  function listen(): void {
    const api = deps.notifications();
    if (listening || !api) return;
    listening = true;
    api.onClicked.addListener((id) => void onClicked(id));
    api.onButtonClicked?.addListener((id, index) => void onButton(id, index));
  }

  alarms.onAlarm.addListener((a) => void onAlarm(a));
  listen();
  return { reconcile, onAlarm, onButton, onClicked, listen };
}
export type Reminders = ReturnType<typeof createReminders>;
