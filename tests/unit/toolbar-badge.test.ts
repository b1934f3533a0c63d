import { describe, expect, it, vi } from 'vitest';
import {
  badgeText,
  createToolbarBadge,
  dueCount,
  installDueBadgeAlarm,
} from '../../lib/platform/toolbar-badge';
import type { Request } from '../../lib/messages/requests';

function fakeAction() {
  const shown: string[] = [];
  return {
    shown,
    action: {
      setBadgeText: async ({ text }: { text: string }) => void shown.push(text),
      setBadgeBackgroundColor: async () => {},
    },
  };
}

describe('toolbar badge', () => {
  it('shows the due count, nothing at zero and 99+ past 99', () => {
    expect([0, 1, 99, 100, 5000].map(badgeText)).toEqual(['', '1', '99', '99+', '99+']);
  });

  it('asks for open todos due today or before at the local minute', async () => {
    const sent: Request[] = [];
    const n = await dueCount(
      {
        request: async (r) => {
          sent.push(r);
          return { ok: true, data: { all: 4, active: 4, completed: 0 } };
        },
      },
      new Date(2026, 11, 2, 10, 5).getTime(),
    );
    expect(n).toBe(4);
    expect(sent).toEqual([{ kind: 'todos.counts', search: '', view: 'due', now: '2026-12-02T10:05' }]);
  });

  it('keeps a capture’s ✓ over a refresh, then shows the count', async () => {
    vi.useFakeTimers();
    try {
      const f = fakeAction();
      let count = 3;
      const badge = createToolbarBadge({ action: f.action, count: async () => count });
      await badge.refresh();
      await badge.flash(true);
      count = 4;
      await badge.refresh(); // the capture's own change event
      expect(f.shown).toEqual(['3', '✓']);
      await vi.advanceTimersByTimeAsync(3_000);
      expect(f.shown).toEqual(['3', '✓', '4']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps the last count when the database cannot answer', async () => {
    const f = fakeAction();
    let count: number | null = 2;
    const badge = createToolbarBadge({ action: f.action, count: async () => count });
    await badge.refresh();
    count = null;
    await badge.refresh();
    expect(f.shown).toEqual(['2']);
  });

  it('creates its alarm once and refreshes when it fires', async () => {
    const created: string[] = [];
    let fire: ((a: { name: string }) => void) | undefined;
    let exists = false;
    const alarms = {
      get: async () => (exists ? {} : undefined),
      create: (name: string) => {
        created.push(name);
        exists = true;
      },
      onAlarm: { addListener: (fn: (a: { name: string }) => void) => void (fire = fn) },
    };
    const refresh = vi.fn(async () => {});
    const badge = { refresh, flash: async () => {} };
    installDueBadgeAlarm(alarms, badge);
    await new Promise((r) => setTimeout(r));
    fire?.({ name: 'other' });
    fire?.({ name: 'tt-due-badge' });
    expect(refresh).toHaveBeenCalledTimes(1);
    // The background woke again: the alarm it made before is still there.
    installDueBadgeAlarm(alarms, badge);
    await new Promise((r) => setTimeout(r));
    expect(created).toEqual(['tt-due-badge']);
  });
});
