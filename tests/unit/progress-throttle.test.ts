import { describe, expect, it } from 'vitest';
import { createProgressThrottle } from '../../lib/sync/progress-throttle';
import type { Timers } from '../../lib/sync/ports';

type State = { phase: 'syncing'; n: number } | { phase: 'done' | 'connecting' };

/** Timers on a fake clock: `advance` moves the clock and fires what fell due, in order. */
function clockTimers(time: { now: number }) {
  const pending = new Set<{ at: number; fn: () => void }>();
  const timers: Timers & { advance(ms: number): void } = {
    set(fn, ms) {
      const t = { at: time.now + ms, fn };
      pending.add(t);
      return () => pending.delete(t);
    },
    advance(ms) {
      const end = time.now + ms;
      for (;;) {
        const next = [...pending].filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!next) break;
        pending.delete(next);
        time.now = Math.max(time.now, next.at);
        next.fn();
      }
      time.now = end;
    },
  };
  return timers;
}

function throttled(intervalMs = 100) {
  const time = { now: 1_000 };
  const timers = clockTimers(time);
  const out: State[] = [];
  const t = createProgressThrottle<State>({
    emit: (s) => out.push(s),
    isProgress: (s) => s.phase === 'syncing',
    now: () => time.now,
    timers,
    intervalMs,
  });
  return { t, out, time, timers };
}

/** One update sent, the next one waiting for the interval to pass. */
function withOneWaiting() {
  const th = throttled();
  th.t.push(syncing(1));
  th.timers.advance(5);
  th.t.push(syncing(2));
  return th;
}
const syncing = (n: number): State => ({ phase: 'syncing', n });

describe('progress throttle', () => {
  it('passes the first progress update at once and holds the next ones for the interval, keeping the latest', () => {
    const { t, out, timers } = throttled();
    t.push(syncing(1));
    timers.advance(10);
    t.push(syncing(2));
    timers.advance(10);
    t.push(syncing(3));
    timers.advance(79);
    expect(out).toEqual([syncing(1)]);
    timers.advance(1);
    expect(out).toEqual([syncing(1), syncing(3)]);
  });

  it('sends at most one progress update per interval however many arrive', () => {
    const { t, out, timers } = throttled(100);
    // 120 batches over 2.4 s, one every 20 ms.
    for (let i = 1; i <= 120; i++) {
      timers.advance(20);
      t.push(syncing(i));
    }
    expect(out.length).toBe(24);
    // Nothing is sent out of order, and the last one still waiting comes with the timer.
    timers.advance(100);
    expect(out.length).toBe(25);
    expect(out.at(-1)).toEqual(syncing(120));
    const ns = out.map((s) => (s.phase === 'syncing' ? s.n : 0));
    expect(ns).toEqual([...ns].sort((a, b) => a - b));
  });

  it('lets every other state through at once and drops a waiting progress update behind it', () => {
    const { t, out, timers } = throttled();
    t.push(syncing(1));
    timers.advance(5);
    t.push(syncing(2));
    t.push({ phase: 'done' });
    timers.advance(1_000);
    expect(out).toEqual([syncing(1), { phase: 'done' }]);
  });

  it('starts the next run of progress with an update at once', () => {
    const { t, out, timers } = throttled();
    t.push(syncing(1));
    t.push({ phase: 'connecting' });
    timers.advance(1);
    t.push(syncing(2));
    expect(out).toEqual([syncing(1), { phase: 'connecting' }, syncing(2)]);
  });

  it('cancel drops the waiting update of an ended session', () => {
    const { t, out, timers } = withOneWaiting();
    t.cancel();
    timers.advance(1_000);
    expect(out).toEqual([syncing(1)]);
  });

  it('flush sends the waiting update now and nothing later', () => {
    const { t, out, timers } = withOneWaiting();
    t.flush();
    expect(out).toEqual([syncing(1), syncing(2)]);
    timers.advance(1_000);
    t.flush();
    expect(out).toEqual([syncing(1), syncing(2)]);
  });

  it('holds an update no longer than one interval when the clock steps back', () => {
    const { t, out, time, timers } = throttled();
    t.push(syncing(1));
    time.now -= 3_600_000; // the wall clock set back an hour
    t.push(syncing(2));
    timers.advance(100);
    expect(out).toEqual([syncing(1), syncing(2)]);
  });
});
