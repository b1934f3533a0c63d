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
    expect(q.page(query()).todos.map((t) => t.title)).toEqual(['b', 'a']);
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
