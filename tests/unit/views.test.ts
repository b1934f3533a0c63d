import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ensureDeviceId } from '../../lib/db/device';
import { openMemoryDb } from '../../lib/db/node-memory';
import { createTodoQueries } from '../../lib/db/todo-queries';
import { createTodoWriter } from '../../lib/db/todo-writes';
import type { PageQuery, WireTodo } from '../../lib/messages/todo-schema';
import { createHybridClock } from '../../lib/model/hlc';
import { addDays, inView, VIEWS } from '../../lib/model/views';
import { moveDue, quickDates } from '../../lib/ui/quick-dates';

async function setup() {
  const sql = await openMemoryDb();
  const deviceId = ensureDeviceId(sql);
  let t = 1_764_000_000_000;
  const now = () => (t += 1000);
  const writer = createTodoWriter({ sql, deviceId, clock: createHybridClock(deviceId, now), now });
  return { writer, q: createTodoQueries(sql) };
}

const NOW = '2026-12-02T10:00';

function allPages(q: ReturnType<typeof createTodoQueries>, base: Partial<PageQuery>): WireTodo[] {
  const out: WireTodo[] = [];
  let cursor: PageQuery['cursor'] = null;
  for (let i = 0; i < 1000; i++) {
    const page = q.page({ filter: 'all', sort: 'created', search: '', cursor, limit: 7, ...base });
    out.push(...page.todos);
    if (!page.next) return out;
    cursor = page.next;
  }
  throw new Error('pagination did not end');
}

describe('date views', () => {
  it('adds calendar days across months, years and leap days', () => {
    expect(addDays('2026-12-28', 7)).toBe('2027-01-04');
    expect(addDays('2028-02-27', 2)).toBe('2028-02-29');
    expect(addDays('2026-03-28T09:00', 1)).toBe('2026-03-29');
  });

  it('decides membership against the local day and minute', () => {
    const t = (due: string | null, completed = false) => ({ due_date: due, completed });
    expect(inView('today', t('2026-12-02'), NOW)).toBe(true);
    expect(inView('today', t('2026-12-02T23:30'), NOW)).toBe(true);
    expect(inView('today', t('2026-12-03'), NOW)).toBe(false);
    expect(inView('overdue', t('2026-12-02'), NOW)).toBe(false); // today is not over yet
    expect(inView('overdue', t('2026-12-02T09:59'), NOW)).toBe(true);
    expect(inView('overdue', t('2026-12-02T10:00'), NOW)).toBe(false);
    expect(inView('overdue', t('2026-12-01'), NOW)).toBe(true);
    expect(inView('overdue', t('2026-12-01', true), NOW)).toBe(false);
    expect(inView('upcoming', t('2026-12-02T18:00'), NOW)).toBe(false); // that is Today
    expect(inView('upcoming', t('2026-12-03'), NOW)).toBe(true);
    expect(inView('upcoming', t('2026-12-09T23:59'), NOW)).toBe(true);
    expect(inView('upcoming', t('2026-12-10'), NOW)).toBe(false);
    expect(inView('upcoming', t(null), NOW)).toBe(false);
  });

  it('SQL and inView agree for random todos, and views page by day, completed last within a day, then by time', async () => {
    const day = fc.integer({ min: -10, max: 12 }).map((n) => addDays('2026-12-02', n));
    const due = fc.option(
      fc
        .tuple(
          day,
          fc.option(fc.constantFrom('00:00', '09:59', '10:00', '10:01', '23:59'), { nil: undefined }),
        )
        .map(([d, t]) => (t ? `${d}T${t}` : d)),
      { nil: null },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(due, fc.boolean()), { maxLength: 40 }), async (rows) => {
        const { writer, q } = await setup();
        const made = rows.map(([d, done], i) => {
          const r = writer.create({ title: `t${i}`, due_date: d });
          if (!r.ok) throw new Error(r.error);
          if (done) writer.update(r.todo.id, { completed: true });
          return { ...r.todo, completed: done };
        });
        for (const view of VIEWS.filter((v) => v !== 'all')) {
          const got = allPages(q, { view, now: NOW });
          const want = made.filter((t) => inView(view, t, NOW));
          expect(got.map((t) => t.id).sort()).toEqual(want.map((t) => t.id).sort());
          const keys = got.map((t) => `${t.due_date!.slice(0, 10)}|${t.completed ? 1 : 0}|${t.due_date}`);
          expect(keys).toEqual([...keys].sort());
          expect(q.counts('', { view, now: NOW }).all).toBe(want.length);
        }
      }),
      { numRuns: 25 },
    );
  });
});

describe('the popup’s quick dates', () => {
  it('offers today, tomorrow and next Monday, and keeps the time of day', () => {
    // Wednesday 2 December 2026; Sunday 6 December; Monday 7 December.
    expect(quickDates('2026-12-02T10:00').map((q) => q.day)).toEqual([
      '2026-12-02',
      '2026-12-03',
      '2026-12-07',
    ]);
    expect(quickDates('2026-12-06T10:00').map((q) => q.day)).toEqual([
      '2026-12-06',
      '2026-12-07',
      '2026-12-07',
    ]);
    expect(quickDates('2026-12-07T10:00')[2]!.day).toBe('2026-12-14');
    expect(moveDue('2026-12-01T16:30', '2026-12-09')).toBe('2026-12-09T16:30');
    expect(moveDue('2026-12-01', '2026-12-09')).toBe('2026-12-09');
    expect(moveDue(null, '2026-12-09')).toBe('2026-12-09');
    expect(moveDue(null, '')).toBeNull();
  });
});
