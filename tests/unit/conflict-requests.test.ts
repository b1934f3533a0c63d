/**
 * The Conflicts view's requests (issue 14) through the DB host's request handler, as a page sends
 * them: `conflicts.list` names the todo, both values, which device wrote each and which one shows
 * now; `conflicts.resolve` keeps either side with a write that closes the conflict; stale or foreign
 * requests get a clear error and change nothing.
 */
import { describe, expect, it } from 'vitest';
import { ensureDeviceId } from '../../lib/db/device';
import { openMemoryDb } from '../../lib/db/node-memory';
import { createRequestHandler } from '../../lib/db/request-handler';
import { createSqliteSyncStorage } from '../../lib/db/sync-storage';
import { createTodoWriter } from '../../lib/db/todo-writes';
import { parseResponse } from '../../lib/messages/requests';
import { CONFLICTS_SHOWN, type ConflictItem, type ConflictResolve } from '../../lib/messages/conflict-schema';
import { createHybridClock, HLC_ZERO } from '../../lib/model/hlc';
import type { TodoId } from '../../lib/model/ids';
import { fromWireRow, toWireRow } from '../../lib/protocol/wire-row';

const T0 = Date.UTC(2026, 11, 3, 9);

async function device(name: string, at: () => number) {
  const sql = await openMemoryDb();
  const deviceId = ensureDeviceId(sql);
  const clock = createHybridClock(deviceId, at);
  const writer = createTodoWriter({ sql, deviceId, clock, now: at });
  const storage = createSqliteSyncStorage(sql, at);
  const handler = createRequestHandler({
    sql,
    writer,
    deviceId,
    schemaVersion: 7,
    openMs: 0,
    devTools: false,
    emit: () => {},
  });
  const resolve = (resolve: ConflictResolve) =>
    parseResponse('conflicts.resolve', handler.handle({ kind: 'conflicts.resolve', resolve }));
  const list = (): ConflictItem[] => {
    const r = parseResponse('conflicts.list', handler.handle({ kind: 'conflicts.list' }));
    if (!r.ok) throw new Error(r.error.message);
    return r.data.items as ConflictItem[];
  };
  const page = () => {
    const r = parseResponse('conflicts.list', handler.handle({ kind: 'conflicts.list' }));
    if (!r.ok) throw new Error(r.error.message);
    return r.data;
  };
  return { name, sql, deviceId, writer, storage, resolve, list, page };
}
type Device = Awaited<ReturnType<typeof device>>;

/** A copy of `from`'s rows reaches `to`, the way a round delivers them (JSON on the wire). */
function deliver(from: Device, to: Device) {
  const rows = from.storage
    .pageAbove(HLC_ZERO, null, 100)
    .map((r) => fromWireRow(JSON.parse(JSON.stringify(toWireRow(r)))));
  to.storage.applyRows(rows);
  // What a circle's roster tells a device about the other: its name.
  to.sql.run(
    `INSERT INTO device_info (device_id, device_name, created_at, is_self) VALUES (?, ?, ?, 0)
     ON CONFLICT (device_id) DO UPDATE SET device_name = excluded.device_name`,
    [from.deviceId, from.name, T0],
  );
}

async function apart(title: string) {
  let t = T0;
  const clock = () => t;
  const a = await device('Laptop', clock);
  const b = await device('Phone', clock);
  const made = a.writer.create({ title });
  if (!made.ok) throw new Error(made.error);
  deliver(a, b);
  return { a, b, id: made.todo.id as TodoId, tick: () => (t += 60_000) };
}

describe('conflict requests', () => {
  it('lists a title conflict with both values, who wrote each, and which one shows', async () => {
    const { a, b, id, tick } = await apart('Buy milk');
    tick();
    a.writer.update(id, { title: 'Buy oat milk' });
    tick();
    b.writer.update(id, { title: 'Buy <b>soy</b> milk' });
    // Each gets the other's copy as it was written (a round sends both ways at once).
    deliver(a, b);
    deliver(b, a);
    for (const d of [a, b]) {
      const [c, ...rest] = d.list();
      expect(rest).toEqual([]);
      expect(c).toMatchObject({
        todoId: id,
        title: 'Buy <b>soy</b> milk',
        field: 'title',
        kind: 'field',
        shown: { value: 'Buy <b>soy</b> milk', deviceId: b.deviceId, self: d === b },
        other: { value: 'Buy oat milk', deviceId: a.deviceId, self: d === a },
      });
    }
    expect(a.list()[0]!.shown.deviceName).toBe('Phone');
    expect(b.list()[0]!.other.deviceName).toBe('Laptop');
    expect(a.list()[0]!.other.at).toBeLessThan(a.list()[0]!.shown.at);
  });

  it('"Keep this one" on the value set aside makes it current and clears the conflict on both', async () => {
    const { a, b, id, tick } = await apart('Buy milk');
    tick();
    a.writer.update(id, { title: 'Buy oat milk' });
    tick();
    b.writer.update(id, { title: 'Buy soy milk' });
    deliver(b, a);
    deliver(a, b);
    tick();
    const c = a.list()[0]!;
    const r = a.resolve({ id, field: 'title', loserHlc: c.loserHlc, keep: 'other' });
    expect(r).toMatchObject({ ok: true, data: { title: 'Buy oat milk' } });
    expect(a.list()).toEqual([]);
    deliver(a, b);
    expect(b.list()).toEqual([]);
    expect(b.sql.get<{ title: string }>('SELECT title FROM todos WHERE id = ?', [id])!.title).toBe(
      'Buy oat milk',
    );
  });

  it('"Dismiss" keeps the shown value, and a second resolution of the same conflict is refused', async () => {
    const { a, b, id, tick } = await apart('Buy milk');
    tick();
    a.writer.update(id, { priority: 'high' });
    tick();
    b.writer.update(id, { priority: 'low' });
    deliver(b, a);
    const c = a.list()[0]!;
    expect(c).toMatchObject({ field: 'priority', shown: { value: 'low' }, other: { value: 'high' } });
    tick();
    const resolve: ConflictResolve = { id, field: 'priority', loserHlc: c.loserHlc, keep: 'shown' };
    expect(a.resolve(resolve)).toMatchObject({
      ok: true,
      data: { priority: 'low' },
    });
    expect(a.list()).toEqual([]);
    const again = a.resolve(resolve);
    expect(again.ok).toBe(false);
    expect(!again.ok && again.error.message).toBe('That conflict was already resolved.');
  });

  it('lists a deletion against an edit with the deletion shown, and keeping the edit brings the todo back', async () => {
    const { a, b, id, tick } = await apart('Call Sam');
    tick();
    a.writer.remove(id);
    tick();
    b.writer.update(id, { title: 'Call Sam at 5' });
    deliver(b, a);
    deliver(a, b);
    for (const d of [a, b])
      expect(d.list()).toMatchObject([
        {
          kind: 'deletion',
          field: 'title',
          shown: { value: true, deviceId: a.deviceId },
          other: { value: 'Call Sam at 5', deviceId: b.deviceId },
        },
      ]);
    tick();
    const c = b.list()[0]!;
    const r = b.resolve({ id, field: 'title', loserHlc: c.loserHlc, keep: 'other' });
    expect(r).toMatchObject({ ok: true, data: { deleted: false, title: 'Call Sam at 5' } });
    deliver(b, a);
    expect(a.list()).toEqual([]);
    expect(a.sql.get<{ deleted: number }>('SELECT deleted FROM todos WHERE id = ?', [id])!.deleted).toBe(0);
  });

  it(`lists the newest ${CONFLICTS_SHOWN} conflicts and counts them all`, async () => {
    const { a, b, tick } = await apart('seed');
    const ids: TodoId[] = [];
    for (let i = 0; i < CONFLICTS_SHOWN + 5; i++) {
      const made = a.writer.create({ title: `Todo ${i}` });
      if (!made.ok) throw new Error(made.error);
      ids.push(made.todo.id as TodoId);
    }
    deliver(a, b);
    tick();
    for (const id of ids) a.writer.update(id, { title: `${id} on A` });
    tick();
    for (const id of ids) b.writer.update(id, { title: `${id} on B` });
    deliver(b, a);
    const page = a.page();
    expect(page.total).toBe(CONFLICTS_SHOWN + 5);
    expect(page.items).toHaveLength(CONFLICTS_SHOWN);
  });

  it('refuses a malformed resolve request before it reaches the database', async () => {
    const { a } = await apart('Buy milk');
    const { requestSchema } = await import('../../lib/messages/requests');
    const bad = requestSchema.safeParse({
      kind: 'conflicts.resolve',
      resolve: { id: 'x', field: 'title', loserHlc: 'not a stamp', keep: 'other' },
    });
    expect(bad.success).toBe(false);
    expect(a.list()).toEqual([]);
  });
});
