import { beforeEach, describe, expect, it } from 'vitest';
import { openMemoryDb } from '../../lib/db/node-memory';
import { createTodoWriter, rowToTodo } from '../../lib/db/todo-writes';
import type { Sql, Row } from '../../lib/db/sql';
import { createHybridClock, type Hlc } from '../../lib/model/hlc';
import { newDeviceId, type TodoId } from '../../lib/model/ids';
import { TITLE_MAX } from '../../lib/model/todo';

const deviceId = newDeviceId();
let sql: Sql;
let wall: number;
let writer: ReturnType<typeof createTodoWriter>;

const row = (id: TodoId) => sql.get<Row>('SELECT * FROM todos WHERE id = ?', [id])!;
const selfVector = () =>
  sql.get<{ hlc: string }>('SELECT hlc FROM version_vector WHERE device_id = ?', [deviceId])?.hlc;

beforeEach(async () => {
  sql = await openMemoryDb();
  wall = 1_700_000_000_000;
  const clock = createHybridClock(deviceId, () => wall);
  writer = createTodoWriter({ sql, clock, deviceId, now: () => wall });
});

describe('todo writes', () => {
  it('creates a todo with one fresh stamp on all six fields and version equal to it', () => {
    const r = writer.create({ title: '  Buy milk ', priority: 'high' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.todo.title).toBe('Buy milk');
    const raw = row(r.todo.id);
    const stamps = ['title', 'description', 'completed', 'priority', 'due_date', 'deleted'].map(
      (f) => raw[`${f}_hlc`],
    );
    expect(new Set(stamps).size).toBe(1);
    expect(raw.version).toBe(stamps[0]);
    expect(selfVector()).toBe(stamps[0]);
    expect(rowToTodo(raw)).toEqual(r.todo);
  });

  it('refuses an empty or over-long title with a plain message and writes nothing', () => {
    expect(writer.create({ title: '   ' })).toEqual({ ok: false, error: 'A todo needs a title.' });
    const long = writer.create({ title: 'x'.repeat(TITLE_MAX + 1) });
    expect(long.ok).toBe(false);
    if (!long.ok) expect(long.error).toMatch(/at most 500/);
    expect(sql.get<{ n: number }>('SELECT count(*) AS n FROM todos')!.n).toBe(0);
    expect(selfVector()).toBeUndefined();
  });

  it('stamps only the fields an update changes', () => {
    const c = writer.create({ title: 'A' });
    if (!c.ok) throw new Error(c.error);
    const before = row(c.todo.id);
    wall += 1000;
    const u = writer.update(c.todo.id, { completed: true, title: 'A' });
    expect(u.ok && u.todo.completed).toBe(true);
    const after = row(c.todo.id);
    expect(after.title_hlc).toBe(before.title_hlc);
    expect(after.priority_hlc).toBe(before.priority_hlc);
    expect(after.completed_hlc! > before.completed_hlc!).toBe(true);
    expect(after.version).toBe(after.completed_hlc);
    expect(after.updated_at).toBe(wall);
    expect(selfVector()).toBe(after.completed_hlc);
  });

  it('stamps only the title when only the title changes, leaving every other stamp as it was', () => {
    const c = writer.create({ title: 'A', description: 'd', priority: 'high', due_date: '2026-12-05T09:30' });
    if (!c.ok) throw new Error(c.error);
    const before = row(c.todo.id);
    wall += 1000;
    expect(writer.update(c.todo.id, { title: 'B' }).ok).toBe(true);
    const after = row(c.todo.id);
    expect(after.title_hlc! > before.title_hlc!).toBe(true);
    for (const f of ['description', 'completed', 'priority', 'due_date', 'deleted'])
      expect([f, after[f], after[`${f}_hlc`]]).toEqual([f, before[f], before[`${f}_hlc`]]);
  });

  it('stores a due date as its calendar text', () => {
    const c = writer.create({ title: 'A', due_date: '2026-12-05' });
    if (!c.ok) throw new Error(c.error);
    expect(row(c.todo.id).due_date).toBe('2026-12-05');
    expect(writer.update(c.todo.id, { due_date: '2026-12-06T07:15' }).ok).toBe(true);
    expect(row(c.todo.id).due_date).toBe('2026-12-06T07:15');
    expect(writer.update(c.todo.id, { due_date: null }).ok).toBe(true);
    expect(row(c.todo.id).due_date).toBeNull();
  });

  it('leaves stamps alone when an update changes nothing', () => {
    const c = writer.create({ title: 'A' });
    if (!c.ok) throw new Error(c.error);
    const before = row(c.todo.id);
    expect(writer.update(c.todo.id, { title: ' A ', priority: 'medium' }).ok).toBe(true);
    expect(row(c.todo.id)).toEqual(before);
  });

  it('reports an unknown id instead of writing', () => {
    const r = writer.update('00000000-0000-4000-8000-000000000000-1-aaaaaaaa' as TodoId, { title: 'x' });
    expect(r).toEqual({ ok: false, error: 'That todo no longer exists.' });
    expect(selfVector()).toBeUndefined();
  });

  it('rejects invalid patch values without touching the row', () => {
    const c = writer.create({ title: 'A' });
    if (!c.ok) throw new Error(c.error);
    const before = row(c.todo.id);
    expect(writer.update(c.todo.id, { title: '' }).ok).toBe(false);
    expect(writer.update(c.todo.id, { priority: 'urgent' as never }).ok).toBe(false);
    expect(writer.update(c.todo.id, { due_date: '2026-02-30' }).ok).toBe(false);
    expect(writer.update(c.todo.id, { due_date: '2026-12-05T25:00' }).ok).toBe(false);
    expect(writer.update(c.todo.id, { due_date: 1_764_889_200_000 as never }).ok).toBe(false);
    expect(row(c.todo.id)).toEqual(before);
  });

  it('removes as a stamped tombstone and restores with a newer stamp', () => {
    const c = writer.create({ title: 'A' });
    if (!c.ok) throw new Error(c.error);
    const r = writer.remove(c.todo.id);
    expect(r.ok && r.todo.deleted).toBe(true);
    const del = row(c.todo.id);
    expect(del.deleted).toBe(1);
    expect(del.deleted_hlc! > del.title_hlc!).toBe(true);
    const back = writer.restore(c.todo.id);
    expect(back.ok && back.todo.deleted).toBe(false);
    expect(row(c.todo.id).deleted_hlc! > del.deleted_hlc!).toBe(true);
  });

  it('creates many todos in one transaction, or none when one is invalid', () => {
    expect(writer.createMany([{ title: 'a' }, { title: 'b' }, { title: 'c' }])).toEqual({
      ok: true,
      count: 3,
    });
    const bad = writer.createMany([{ title: 'd' }, { title: '' }]);
    expect(bad.ok).toBe(false);
    expect(sql.get<{ n: number }>('SELECT count(*) AS n FROM todos')!.n).toBe(3);
    const maxVersion = sql.get<{ v: Hlc }>('SELECT max(version) AS v FROM todos')!.v;
    expect(selfVector()).toBe(maxVersion);
  });

  it('rolls back the write when the database refuses it', () => {
    const c = writer.create({ title: 'A' });
    if (!c.ok) throw new Error(c.error);
    const vectorBefore = selfVector();
    sql.run(`CREATE TRIGGER refuse BEFORE UPDATE ON todos BEGIN SELECT RAISE(ABORT, 'refused'); END`);
    expect(() => writer.update(c.todo.id, { title: 'B' })).toThrow(/refused/);
    expect(selfVector()).toBe(vectorBefore);
    expect(row(c.todo.id).title).toBe('A');
  });
});
