import { describe, expect, it } from 'vitest';
import { ensureDeviceId, restoredHlc } from '../../lib/db/device';
import { openMemoryDb } from '../../lib/db/node-memory';
import type { Sql } from '../../lib/db/sql';
import { createTodoQueries, likePattern } from '../../lib/db/todo-queries';
import { createTodoWriter } from '../../lib/db/todo-writes';
import type { PageQuery, WireTodo } from '../../lib/messages/todo-schema';
import { createHybridClock, HLC_ZERO } from '../../lib/model/hlc';
import type { Priority } from '../../lib/model/todo';

async function setup() {
  const sql = await openMemoryDb();
  const deviceId = ensureDeviceId(sql);
  let t = 1_764_000_000_000;
  const now = () => (t += 1000);
  const writer = createTodoWriter({ sql, deviceId, clock: createHybridClock(deviceId, now), now });
  return { sql, deviceId, writer, q: createTodoQueries(sql) };
}

const query = (over: Partial<PageQuery> = {}): PageQuery => ({
  filter: 'all',
  sort: 'created',
  search: '',
  cursor: null,
  limit: 50,
  ...over,
});

function allPages(q: ReturnType<typeof createTodoQueries>, base: Partial<PageQuery>): WireTodo[] {
  const out: WireTodo[] = [];
  let cursor: PageQuery['cursor'] = null;
  for (let i = 0; i < 1000; i++) {
    const page = q.page(query({ ...base, cursor }));
    out.push(...page.todos);
    if (!page.next) return out;
    cursor = page.next;
  }
  throw new Error('pagination did not end');
}

describe('todo queries', () => {
  it('pages through every live todo exactly once, newest first', async () => {
    const { writer, q } = await setup();
    for (let i = 0; i < 237; i++) writer.create({ title: `t${i}` });
    const rows = allPages(q, { limit: 50 });
    expect(rows.map((r) => r.title)).toEqual(Array.from({ length: 237 }, (_, i) => `t${236 - i}`));
  });

  it('starts a page at an offset into the ordered result, for every sort', async () => {
    const { writer, q } = await setup();
    for (let i = 0; i < 120; i++)
      writer.create({
        title: `t${i}`,
        priority: i % 3 === 0 ? 'high' : 'low',
        due_date: i % 2 ? '2026-05-05' : null,
      });
    for (const sort of ['created', 'due', 'priority'] as const) {
      const all = allPages(q, { sort, limit: 200 });
      const page = q.page(query({ sort, offset: 100, limit: 15 }));
      expect(page.todos.map((r) => r.id)).toEqual(all.slice(100, 115).map((r) => r.id));
      expect(page.next).not.toBeNull();
      expect(q.page(query({ sort, offset: 110, limit: 15 })).next).toBeNull();
    }
  });

  it('keeps every row exactly once when many share a sort key', async () => {
    const { writer, q } = await setup();
    for (let i = 0; i < 120; i++)
      writer.create({ title: `same ${i}`, priority: 'low', due_date: '2026-05-05' });
    for (const sort of ['due', 'priority'] as const) {
      const rows = allPages(q, { sort, limit: 7 });
      expect(new Set(rows.map((r) => r.id)).size).toBe(120);
    }
  });

  it('sorts by due date with undated todos last, and by priority high first', async () => {
    const { writer, q } = await setup();
    const mk = (title: string, priority: Priority, due_date: string | null) =>
      writer.create({ title, priority, due_date });
    mk('none', 'high', null);
    mk('late', 'low', '2026-03-01');
    mk('soon', 'medium', '2026-02-28T17:00');
    expect(q.page(query({ sort: 'due' })).todos.map((t) => t.title)).toEqual(['soon', 'late', 'none']);
    expect(q.page(query({ sort: 'priority' })).todos.map((t) => t.title)).toEqual(['none', 'soon', 'late']);
  });

  it('filters active and completed and never lists deleted todos', async () => {
    const { writer, q } = await setup();
    const a = writer.create({ title: 'a' });
    const b = writer.create({ title: 'b' });
    const c = writer.create({ title: 'c' });
    if (!a.ok || !b.ok || !c.ok) throw new Error('setup');
    writer.update(b.todo.id, { completed: true });
    writer.remove(c.todo.id);
    expect(q.page(query({ filter: 'active' })).todos.map((t) => t.title)).toEqual(['a']);
    expect(q.page(query({ filter: 'completed' })).todos.map((t) => t.title)).toEqual(['b']);
    expect(q.page(query()).todos.map((t) => t.title)).toEqual(['a', 'b']);
    expect(q.counts('')).toEqual({ all: 2, active: 1, completed: 1 });
    expect(q.get(c.todo.id)?.deleted).toBe(true);
  });

  it('searches title and description, treating % and _ literally', async () => {
    const { writer, q } = await setup();
    writer.create({ title: 'Save 50% now' });
    writer.create({ title: 'Save 500 now' });
    writer.create({ title: 'plain', description: 'has snake_case inside' });
    writer.create({ title: 'snakeXcase' });
    expect(q.page(query({ search: '50%' })).todos.map((t) => t.title)).toEqual(['Save 50% now']);
    expect(q.page(query({ search: 'snake_case' })).todos.map((t) => t.title)).toEqual(['plain']);
    expect(q.counts('SAVE')).toEqual({ all: 2, active: 2, completed: 0 });
    expect(likePattern('a\\b')).toBe('%a\\\\b%');
  });

  it('lists completed todos below the open ones in every sort, each part in its order', async () => {
    const { writer, q } = await setup();
    const made = [];
    for (let i = 0; i < 60; i++) {
      const r = writer.create({
        title: `t${i}`,
        priority: (['high', 'medium', 'low'] as const)[i % 3],
        due_date: i % 4 ? `2026-05-${String(10 + (i % 17)).padStart(2, '0')}` : null,
      });
      if (!r.ok) throw new Error('setup');
      made.push(r.todo);
    }
    for (const t of made.filter((_, i) => i % 5 === 0)) writer.update(t.id, { completed: true });
    const rank = { high: 0, medium: 1, low: 2 };
    // Code-unit order, as SQLite compares text ('~' after every digit); localeCompare is not that.
    const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const expected: Record<string, (a: WireTodo, b: WireTodo) => number> = {
      created: (a, b) => b.created_at - a.created_at,
      due: (a, b) => byText(a.due_date ?? '~', b.due_date ?? '~') || byText(a.id, b.id),
      priority: (a, b) => rank[a.priority] - rank[b.priority] || b.created_at - a.created_at,
    };
    for (const sort of ['created', 'due', 'priority'] as const) {
      const rows = allPages(q, { sort, limit: 7 });
      expect(rows).toHaveLength(60);
      const open = rows.filter((t) => !t.completed);
      expect(rows.slice(0, open.length)).toEqual(open);
      expect(open).toHaveLength(48);
      expect(open.map((t) => t.id)).toEqual([...open].sort(expected[sort]).map((t) => t.id));
      const done = rows.slice(open.length);
      expect(done.map((t) => t.id)).toEqual([...done].sort(expected[sort]).map((t) => t.id));
      // The virtual list asks by offset; the same order, across the open/completed border.
      expect(q.page(query({ sort, offset: 45, limit: 6 })).todos).toEqual(rows.slice(45, 51));
      expect(q.page(query({ sort, filter: 'active', limit: 100 })).todos).toEqual(open);
    }
  });

  it('walks an index for every sort (no sort of the whole list), at an offset and after a cursor', async () => {
    const { sql, writer, q } = await setup();
    for (let i = 0; i < 30; i++) writer.create({ title: `t${i}`, due_date: i % 2 ? '2026-05-05' : null });
    // The statements the queries send, replayed under EXPLAIN QUERY PLAN with their parameters.
    const sent: { text: string; params: readonly unknown[] }[] = [];
    const spy: Sql = {
      ...sql,
      all: (text, params) => {
        sent.push({ text, params: params ?? [] });
        return sql.all(text, params);
      },
    } as Sql;
    const spied = createTodoQueries(spy);
    for (const sort of ['created', 'due', 'priority'] as const)
      for (const filter of ['all', 'active', 'completed'] as const) {
        sent.length = 0;
        const first = spied.page(query({ sort, filter, limit: 5, offset: 10 }));
        spied.page(query({ sort, filter, limit: 5, cursor: first.next }));
        spied.page(query({ sort, filter, limit: 5, search: 't1' }));
        expect(sent).toHaveLength(3);
        for (const s of sent) {
          const plan = sql
            .all<{ detail: string }>(`EXPLAIN QUERY PLAN ${s.text}`, s.params as never)
            .map((r) => r.detail)
            .join(' | ');
          expect(plan, `${sort}/${filter}`).toMatch(new RegExp(`USING INDEX idx_todos_sink_${sort}\\b`));
          // Only rows that tie on the key are ordered by id ('USE TEMP B-TREE FOR LAST TERM OF ORDER BY').
          expect(plan, `${sort}/${filter}`).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
        }
      }
    void q;
  });

  it('reads a date view (page and counts) through the due-date index, not every todo', async () => {
    const { sql } = await setup();
    const sent: { text: string; params: readonly unknown[] }[] = [];
    const record = (text: string, params?: readonly unknown[]) =>
      void sent.push({ text, params: params ?? [] });
    const spy = {
      ...sql,
      all: (text, params) => (record(text, params), sql.all(text, params)),
      get: (text, params) => (record(text, params), sql.get(text, params)),
    } as Sql;
    const spied = createTodoQueries(spy);
    for (const view of ['today', 'upcoming', 'overdue', 'due'] as const) {
      sent.length = 0;
      spied.page(query({ view, now: '2026-12-02T10:00' }));
      spied.counts('', { view, now: '2026-12-02T10:00' });
      expect(sent).toHaveLength(2);
      for (const s of sent) {
        const plan = sql
          .all<{ detail: string }>(`EXPLAIN QUERY PLAN ${s.text}`, s.params as never)
          .map((r) => r.detail)
          .join(' | ');
        expect(plan, view).toMatch(/USING (COVERING )?INDEX idx_todos_due \(deleted=\? AND due_date[<>]/);
      }
    }
  });

  it('counts all, active and completed from an index alone', async () => {
    const { sql } = await setup();
    let sent = '';
    createTodoQueries({
      ...sql,
      get: (text, params) => ((sent = text), sql.get(text, params)),
    } as Sql).counts('');
    const plan = sql
      .all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sent}`)
      .map((r) => r.detail)
      .join(' | ');
    expect(plan).toMatch(/USING COVERING INDEX idx_todos_completed/);
  });

  it('answers a missing id with null', async () => {
    const { q, deviceId } = await setup();
    expect(q.get(`${deviceId}-1-abcdefgh` as WireTodo['id'])).toBeNull();
  });
});

describe('device identity', () => {
  it('makes the device id once and returns the same one afterwards', async () => {
    const sql: Sql = await openMemoryDb();
    const first = ensureDeviceId(sql);
    expect(ensureDeviceId(sql)).toBe(first);
    expect(sql.all('SELECT * FROM device_info WHERE is_self = 1')).toHaveLength(1);
  });

  it("restores the clock from this device's own greatest stamp, not from what peers claim", async () => {
    const { sql, writer, deviceId } = await setup();
    expect(restoredHlc(await openMemoryDb(), deviceId)).toBe(HLC_ZERO);
    const r = writer.create({ title: 'x' });
    if (!r.ok) throw new Error('setup');
    const version = sql.get<{ version: string }>('SELECT version FROM todos')?.version;
    expect(restoredHlc(sql, deviceId)).toBe(version);
    // A far-future entry of another device (a bad peer's vector) does not move it.
    const other = '00000000-0000-4000-8000-000000000001';
    sql.run('INSERT INTO version_vector (device_id, hlc) VALUES (?, ?)', [other, `zzzzzzzzz.0000.${other}`]);
    expect(restoredHlc(sql, deviceId)).toBe(version);
  });
});
