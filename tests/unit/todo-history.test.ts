import { describe, expect, it } from 'vitest';
import { ensureDeviceId } from '../../lib/db/device';
import { HISTORY_MAX_AGE_MS, HISTORY_PER_FIELD } from '../../lib/db/migrations';
import { openMemoryDb } from '../../lib/db/node-memory';
import { createSqliteSyncStorage } from '../../lib/db/sync-storage';
import { todoHistory } from '../../lib/db/todo-history';
import { createTodoWriter } from '../../lib/db/todo-writes';
import { createHybridClock, encodeHlc } from '../../lib/model/hlc';
import { newDeviceId, type TodoId } from '../../lib/model/ids';
import type { SyncRow } from '../../lib/model/merge';
import { SYNC_FIELDS } from '../../lib/model/todo';

const DAY = 86_400_000;
const PHONE = newDeviceId();

async function setup() {
  const sql = await openMemoryDb();
  const deviceId = ensureDeviceId(sql);
  let t = Date.UTC(2026, 11, 2, 9);
  const clock = createHybridClock(deviceId, () => t);
  const writer = createTodoWriter({ sql, deviceId, clock, now: () => t });
  const storage = createSqliteSyncStorage(sql, () => t);
  const advance = (ms: number) => (t += ms);
  const create = (title: string) => {
    const r = writer.create({ title });
    if (!r.ok) throw new Error(r.error);
    return r.todo.id;
  };
  const rowOf = (id: TodoId): SyncRow => {
    const r = sql.get<Record<string, string | number | null>>('SELECT * FROM todos WHERE id = ?', [id])!;
    return {
      id,
      title: String(r.title),
      description: r.description === null ? null : String(r.description),
      completed: r.completed === 1,
      priority: r.priority as SyncRow['priority'],
      due_date: null,
      device_id: r.device_id as SyncRow['device_id'],
      created_at: Number(r.created_at),
      deleted: r.deleted === 1,
      hlc: Object.fromEntries(SYNC_FIELDS.map((f) => [f, String(r[`${f}_hlc`])])) as SyncRow['hlc'],
    };
  };
  /** A write of the phone's, `ms` after now, applied as a sync would. */
  const fromPhone = (id: TodoId, title: string, ms = 1000) => {
    const row = rowOf(id);
    storage.applyRows([
      { ...row, title, hlc: { ...row.hlc, title: encodeHlc({ wall: t + ms, counter: 0, deviceId: PHONE }) } },
    ]);
  };
  const titles = (id: TodoId) => todoHistory(sql, id).filter((e) => e.field === 'title');
  return { sql, deviceId, writer, storage, advance, create, fromPhone, titles, rowOf };
}

describe('todo history', () => {
  it('has the current values of a todo never changed', async () => {
    const { sql, deviceId, create } = await setup();
    const id = create('Buy milk');
    const h = todoHistory(sql, id);
    expect(h.map((e) => e.field)).toEqual([...SYNC_FIELDS]);
    expect(h.every((e) => e.current && e.self && e.deviceId === deviceId)).toBe(true);
    expect(h[0]).toMatchObject({ field: 'title', value: 'Buy milk' });
  });

  it('records each local edit, newest first, with its device and time', async () => {
    const { writer, advance, create, titles } = await setup();
    const id = create('Buy milk');
    const t0 = titles(id)[0]!.at;
    advance(60_000);
    writer.update(id, { title: 'Buy oat milk' });
    advance(60_000);
    writer.update(id, { title: 'Buy oat milk and bread', priority: 'high' });
    expect(titles(id).map((e) => [e.value, e.current])).toEqual([
      ['Buy oat milk and bread', true],
      ['Buy oat milk', false],
      ['Buy milk', false],
    ]);
    expect(titles(id).map((e) => e.at)).toEqual([t0 + 120_000, t0 + 60_000, t0]);
  });

  it('records values merged from another device under that device and its name', async () => {
    const { sql, create, fromPhone, titles } = await setup();
    sql.run(
      "INSERT INTO device_info (device_id, device_name, created_at, is_self) VALUES (?, 'Phone', 0, 0)",
      [PHONE],
    );
    const id = create('Buy milk');
    fromPhone(id, 'Buy milk (phone)');
    expect(titles(id).map((e) => [e.value, e.deviceName, e.self, e.current])).toEqual([
      ['Buy milk (phone)', 'Phone', false, true],
      ['Buy milk', null, true, false],
    ]);
  });

  it('records deletion and restore, and a value restored from history is a new write', async () => {
    const { sql, writer, advance, create, titles } = await setup();
    const id = create('Buy milk');
    advance(1000);
    writer.update(id, { title: 'Wrong title' });
    advance(1000);
    writer.remove(id);
    advance(1000);
    writer.restore(id);
    const deleted = todoHistory(sql, id).filter((e) => e.field === 'deleted');
    expect(deleted.map((e) => e.value)).toEqual([false, true, false]);
    advance(1000);
    writer.update(id, { title: 'Buy milk' });
    expect(titles(id).map((e) => [e.value, e.current])).toEqual([
      ['Buy milk', true],
      ['Wrong title', false],
      ['Buy milk', false],
    ]);
  });

  it('does not record a new stamp on the same value', async () => {
    const { sql, create, rowOf, storage, titles } = await setup();
    const id = create('Same');
    const row = rowOf(id);
    const later = encodeHlc({ wall: Date.UTC(2026, 11, 2, 10), counter: 0, deviceId: PHONE });
    storage.applyRows([{ ...row, hlc: { ...row.hlc, title: later } }]);
    expect(titles(id)).toHaveLength(1);
    expect(sql.get<{ n: number }>('SELECT count(*) AS n FROM todo_history')!.n).toBe(0);
  });

  it(`keeps at most ${HISTORY_PER_FIELD} values per field, the newest`, async () => {
    const { sql, writer, advance, create, titles } = await setup();
    const id = create('v0');
    for (let i = 1; i <= HISTORY_PER_FIELD + 15; i++) {
      advance(1000);
      writer.update(id, { title: `v${i}` });
    }
    const h = titles(id);
    expect(h).toHaveLength(HISTORY_PER_FIELD);
    expect(h[0]!.value).toBe(`v${HISTORY_PER_FIELD + 15}`);
    expect(h.at(-1)!.value).toBe('v16');
    expect(sql.get<{ n: number }>("SELECT count(*) AS n FROM todo_history WHERE field = 'title'")!.n).toBe(
      HISTORY_PER_FIELD,
    );
  });

  it('drops values recorded more than 90 days before the field next changes', async () => {
    const { writer, advance, create, titles } = await setup();
    const id = create('January');
    advance(1000);
    writer.update(id, { title: 'February' });
    advance(HISTORY_MAX_AGE_MS - 10 * DAY);
    writer.update(id, { title: 'April' });
    expect(titles(id).map((e) => e.value)).toEqual(['April', 'February', 'January']);
    advance(20 * DAY);
    writer.update(id, { title: 'May' });
    // January and February were recorded 100 days before; April 20 days before.
    expect(titles(id).map((e) => e.value)).toEqual(['May', 'April']);
  });

  it('is empty for an unknown todo', async () => {
    const { sql, create } = await setup();
    const id = create('x');
    expect(todoHistory(sql, `${id.slice(0, -4)}ffff` as TodoId)).toEqual([]);
  });
});
