/**
 * The toolbar badge (issue 12): how many open todos are due today or overdue, and for a few seconds
 * after a context-menu capture a ✓ (or ! when it was not saved). One owner for the badge, so a count
 * refreshed by the capture's own change event cannot wipe the ✓, and the ✓ gives way to the count.
 *
 * The count is refreshed when the background starts, after every change the DB host announces
 * (local edits and synced ones), and by an alarm every 15 minutes, so a new day or a passed due time
 * shows without a change. A badge shows "99+" past 99, as a badge has room for about four characters.
 */
import type { DbChannel } from './page-router';
import { countsSchema } from '../messages/todo-schema';
import { localDateTime } from '../model/due-date';

export const DUE_BADGE_ALARM = 'tt-due-badge';
const PERIOD_MINUTES = 15;

export interface BadgeAction {
  setBadgeText(d: { text: string }): Promise<void>;
  setBadgeBackgroundColor(d: { color: string }): Promise<void>;
}
export interface BadgeAlarms {
  get(name: string): Promise<unknown>;
  create(name: string, info: { periodInMinutes: number }): unknown;
  onAlarm: { addListener(fn: (a: { name: string }) => void): void };
}

export const badgeText = (n: number) => (n <= 0 ? '' : n > 99 ? '99+' : String(n));

/** Open todos due today or before, at this device's local day; null when the database cannot say. */
export async function dueCount(channel: DbChannel, now = Date.now()): Promise<number | null> {
  const r = await channel.request({ kind: 'todos.counts', search: '', view: 'due', now: localDateTime(now) });
  if (!r.ok) return null;
  const c = countsSchema.safeParse(r.data);
  return c.success ? c.data.all : null;
}

export function createToolbarBadge(deps: {
  action: BadgeAction;
  count: () => Promise<number | null>;
  flashMs?: { ok: number; failed: number };
}) {
  const { action } = deps;
  const flashMs = deps.flashMs ?? { ok: 3_000, failed: 6_000 };
  let count = 0;
  let flashing: ReturnType<typeof setTimeout> | undefined;
  const quiet = (p: Promise<unknown>) => p.catch(() => {});
  const paint = () =>
    Promise.all([
      quiet(action.setBadgeBackgroundColor({ color: '#b3261e' })),
      quiet(action.setBadgeText({ text: badgeText(count) })),
    ]).then(() => undefined);

  return {
    async refresh(): Promise<void> {
      const c = await deps.count();
      if (c === null) return;
      count = c;
      if (flashing === undefined) await paint();
    },
    /** A capture was saved (✓) or not (!); the count comes back after a few seconds. */
    async flash(ok: boolean): Promise<void> {
      clearTimeout(flashing);
      flashing = setTimeout(
        () => {
          flashing = undefined;
          void paint();
        },
        ok ? flashMs.ok : flashMs.failed,
      );
      await Promise.all([
        quiet(action.setBadgeBackgroundColor({ color: ok ? '#1e7b34' : '#b3261e' })),
        quiet(action.setBadgeText({ text: ok ? '✓' : '!' })),
      ]);
    },
  };
}
export type ToolbarBadge = ReturnType<typeof createToolbarBadge>;

/** The periodic refresh. Alarms outlive the background; one is created only if missing. */
export function installDueBadgeAlarm(alarms: BadgeAlarms, badge: ToolbarBadge): void {
  alarms.onAlarm.addListener((a) => {
    if (a.name === DUE_BADGE_ALARM) void badge.refresh();
  });
  void alarms.get(DUE_BADGE_ALARM).then((existing) => {
    if (!existing) alarms.create(DUE_BADGE_ALARM, { periodInMinutes: PERIOD_MINUTES });
  });
}
