/**
 * Tombstone collection (issue 14): the rule (lib/model/tombstones.ts) and its SQL
 * (lib/db/tombstone-purge.ts) on in-memory SQLite.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createConflictJournal } from '../../lib/db/conflict-journal';
import { ensureDeviceId } from '../../lib/db/device';
import { applyMigrations } from '../../lib/db/migrate';
import { MIGRATIONS } from '../../lib/db/migrations';
import { openMemoryDb } from '../../lib/db/node-memory';
import type { SqlValue } from '../../lib/db/sql';
import { TODO_STORED_COLUMNS } from '../../lib/db/todo-row';
import {
  PURGED_TITLE,
  purgeDaily,
  purgeTombstones,
  readMemberVectors,
  writeMemberVector,
} from '../../lib/db/tombstone-purge';
import { createSqliteSyncStorage } from '../../lib/db/sync-storage';
import { todoHistory } from '../../lib/db/todo-history';
import { createTodoWriter } from '../../lib/db/todo-writes';
import { createTrash } from '../../lib/db/trash';
import {
  createHybridClock,
  encodeHlc,
  HLC_ZERO,
  MAX_CLOCK_DRIFT_MS,
  wallOfHlc,
  type Hlc,
} from '../../lib/model/hlc';
import { newDeviceId, type DeviceId } from '../../lib/model/ids';
import {
  DAY_MS,
  mayPurge,
  PURGE_AFTER_DAYS,
  PURGE_AFTER_MS,
  purgeBounds,
  type Vector,
} from '../../lib/model/tombstones';

const T0 = Date.UTC(2026, 0, 1);
const A = '00000000-0000-4000-8000-00000000000a' as DeviceId;
const B = '00000000-0000-4000-8000-00000000000b' as DeviceId;
const C = '00000000-0000-4000-8000-00000000000c' as DeviceId;
const stamp = (wall: number, deviceId: DeviceId, counter = 0) => encodeHlc({ wall, counter, deviceId });
const vector = (...stamps: Hlc[]): Vector => new Map(stamps.map((s) => [s.slice(-36) as DeviceId, s]));

describe('the rule', () => {
  const deletion = stamp(T0, A);

  it('purges a deletion every other member has seen, once it is 30 days old', () => {
    const seen = [vector(stamp(T0 + 5, A)), vector(stamp(T0, A), stamp(T0 + 9, B))];
    expect(mayPurge(deletion, T0 + PURGE_AFTER_MS - 1, seen)).toBe(false);
    expect(mayPurge(deletion, T0 + PURGE_AFTER_MS, seen)).toBe(true);
  });

  it('waits while one member has not seen the deletion, or has never told us its vector', () => {
    const late = T0 + 365 * DAY_MS;
    expect(mayPurge(deletion, late, [vector(stamp(T0, A)), vector(stamp(T0 - 1, A))])).toBe(false);
    expect(mayPurge(deletion, late, [vector(stamp(T0, A)), vector(stamp(T0 + 9, B))])).toBe(false);
    expect(mayPurge(deletion, late, [vector(stamp(T0, A)), undefined])).toBe(false);
  });

  it('a device alone waits only for the 30 days', () => {
    expect(mayPurge(deletion, T0 + PURGE_AFTER_MS - 1, [])).toBe(false);
    expect(mayPurge(deletion, T0 + PURGE_AFTER_MS, [])).toBe(true);
  });

  it('the bounds a query uses say the same as the rule', () => {
    const devices = [A, B, C];
    const arbStamp = fc
      .tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 3 }), fc.constantFrom(...devices))
      .map(([day, counter, d]) => stamp(T0 + day * DAY_MS, d, counter));
    const arbVector = fc.array(arbStamp, { maxLength: 3 }).map((s) => vector(...s));
    fc.assert(
      fc.property(
        arbStamp,
        fc.integer({ min: 0, max: 90 }),
        fc.array(fc.option(arbVector, { nil: undefined }), { maxLength: 3 }),
        (deletion, day, others) => {
          const now = T0 + day * DAY_MS;
          const b = purgeBounds(now, others);
          const byBounds =
            b !== null &&
            deletion < b.before &&
            (b.upTo === null || deletion <= (b.upTo.get(deletion.slice(-36) as DeviceId) ?? ''));
          expect(byBounds).toBe(mayPurge(deletion, now, others));
        },
      ),
      { seed: 14, numRuns: 2000 },
    );
  });
});

async function aDevice() {
  const sql = await openMemoryDb();
  const deviceId = ensureDeviceId(sql);
  const time = { now: T0 };
  const clock = createHybridClock(deviceId, () => time.now);
  const writer = createTodoWriter({ sql, deviceId, clock, now: () => time.now });
  const add = (title: string, description?: string) => {
    const r = writer.create({ title, description });
    if (!r.ok) throw new Error(r.error);
    return r.todo.id;
  };
  const row = (id: string) =>
    sql.get<Record<string, unknown>>(
      'SELECT title, description, deleted, title_hlc, description_hlc, deleted_hlc, version FROM todos WHERE id = ?',
      [id],
    );
  const storage = createSqliteSyncStorage(sql, () => time.now);
  /** Takes every row `from` holds, as a round would. */
  const receive = (from: { storage: typeof storage }) =>
    storage.applyRows(from.storage.pageAbove(HLC_ZERO, null, 1000));
  return {
    sql,
    deviceId,
    time,
    writer,
    add,
    row,
    trash: createTrash(sql),
    journal: createConflictJournal(sql),
    storage,
    receive,
  };
}

describe('purging in SQLite', () => {
  it('clears title, description and history of old deletions; keeps the id, flags and stamps', async () => {
    const d = await aDevice();
    const gone = d.add('Renew passport', 'Form B at the post office');
    d.time.now += 1000;
    d.writer.update(gone, { title: 'Renew passport soon' });
    const kept = d.add('Water the plants');
    d.time.now += 1000;
    d.writer.remove(gone);
    const before = d.row(gone)!;
    const history = (id: string) =>
      d.sql.get<{ n: number }>('SELECT count(*) AS n FROM todo_history WHERE todo_id = ?', [id])!.n;
    expect(history(gone)).toBe(4); // the title and the deleted flag, before and after

    expect(purgeTombstones(d.sql, d.time.now + PURGE_AFTER_MS - 1000, [])).toEqual([]);
    expect(purgeTombstones(d.sql, d.time.now + PURGE_AFTER_MS, [])).toEqual([gone]);
    expect(d.row(gone)).toEqual({ ...before, title: PURGED_TITLE, description: null });
    expect(history(gone)).toBe(0);
    expect(d.row(kept)).toMatchObject({ title: 'Water the plants', deleted: 0 });
    // It leaves "Recently deleted"; a second run finds nothing more.
    expect(d.trash.list('', 10)).toEqual({ items: [], total: 0 });
    expect(purgeTombstones(d.sql, d.time.now + 2 * PURGE_AFTER_MS, [])).toEqual([]);
  });

  it('in a circle, purges only what every other member told us it holds', async () => {
    const d = await aDevice();
    const first = d.add('First');
    d.writer.remove(first);
    d.time.now += 60_000;
    const second = d.add('Second');
    d.writer.remove(second);
    const firstStamp = d.row(first)!.deleted_hlc as Hlc;
    const secondStamp = d.row(second)!.deleted_hlc as Hlc;
    const later = d.time.now + PURGE_AFTER_MS;

    // B has told us a vector covering the first deletion only; C has told us nothing yet.
    writeMemberVector(d.sql, B, vector(firstStamp));
    expect(purgeTombstones(d.sql, later, [B, C])).toEqual([]);
    writeMemberVector(d.sql, C, vector(secondStamp));
    expect(purgeTombstones(d.sql, later, [B, C])).toEqual([first]);
    writeMemberVector(d.sql, B, vector(secondStamp));
    expect(purgeTombstones(d.sql, later, [B, C])).toEqual([second]);
    expect(d.trash.list('', 10).total).toBe(0);
    expect(readMemberVectors(d.sql).get(B)).toEqual(vector(secondStamp));
  });

  it("drops a purged todo's conflict-journal entries and keeps those of live todos", async () => {
    const a = await aDevice();
    const b = await aDevice();
    const gone = a.add('Book the venue');
    const kept = a.add('Send invitations');
    b.receive(a);
    // Apart: A edits both titles; B deletes one todo and edits the other's title.
    a.time.now = b.time.now += 1000;
    a.writer.update(gone, { title: 'Book the venue for May' });
    a.writer.update(kept, { title: 'Send invitations today' });
    b.writer.remove(gone);
    b.writer.update(kept, { title: 'Send invitations by post' });
    a.receive(b);
    expect(a.journal.load(gone)).toMatchObject([{ field: 'title', winner: { field: 'deleted' } }]);
    expect(a.journal.load(kept)).toHaveLength(1);

    // B has told A a vector covering its deletion; 30 days on, A purges the deleted todo.
    writeMemberVector(a.sql, b.deviceId, vector(a.row(gone)!.deleted_hlc as Hlc));
    expect(purgeTombstones(a.sql, a.time.now + PURGE_AFTER_MS, [b.deviceId])).toEqual([gone]);
    expect(a.journal.load(gone)).toEqual([]);
    expect(a.journal.load(kept)).toHaveLength(1);
    expect(a.journal.count()).toBe(1);
  });

  it('runs at most once a day', async () => {
    const d = await aDevice();
    const id = d.add('Old');
    d.writer.remove(id);
    const t = d.time.now + PURGE_AFTER_MS - 12 * 60 * 60 * 1000;
    expect(purgeDaily(d.sql, t, [])).toEqual([]);
    // Old enough twelve hours later, but the day is not over.
    expect(purgeDaily(d.sql, t + 12 * 60 * 60 * 1000, [])).toBeNull();
    expect(purgeDaily(d.sql, t + DAY_MS, [])).toEqual([id]);
  });

  it('a damaged record of vectors blocks purges in a circle, never throws', async () => {
    const d = await aDevice();
    const id = d.add('Old');
    d.writer.remove(id);
    d.sql.run("INSERT INTO kv (key, value) VALUES ('tombstones.memberVectors', '{\"x\": [1')");
    expect(readMemberVectors(d.sql).size).toBe(0);
    expect(purgeTombstones(d.sql, d.time.now + PURGE_AFTER_MS, [newDeviceId()])).toEqual([]);
  });
});

describe('purged is a fact, not the content', () => {
  /** A, B and C in sync; apart, A deletes and C edits the title; B hears A, purges 30 days on, then hears C. */
  async function titleAfterPurge() {
    const [a, b, c] = [await aDevice(), await aDevice(), await aDevice()];
    const id = a.add('Renew passport', 'Form B at the post office');
    b.receive(a);
    c.receive(a);
    a.time.now = b.time.now = c.time.now += 1000;
    a.writer.remove(id);
    c.time.now += 1000;
    c.writer.update(id, { title: 'Renew passport before June' });
    b.receive(a);
    a.time.now = b.time.now += PURGE_AFTER_MS;
    writeMemberVector(b.sql, a.deviceId, vector(b.row(id)!.deleted_hlc as Hlc));
    expect(purgeTombstones(b.sql, b.time.now, [a.deviceId])).toEqual([id]);
    b.receive(c);
    return { a, b, c, id };
  }

  it('a title merged onto a purged todo leaves it purged: not in the trash, not restorable here', async () => {
    const { b, id } = await titleAfterPurge();
    // C's title is later than the purged one's stamp: it is taken, the deletion still wins.
    expect(b.row(id)).toMatchObject({ title: 'Renew passport before June', description: null, deleted: 1 });
    expect(b.trash.list('', 10)).toEqual({ items: [], total: 0 });
    expect(b.writer.restore(id)).toEqual({
      ok: false,
      error: expect.stringMatching(/can no longer be restored/),
    });
    const [conflict] = b.journal.all();
    expect(conflict).toMatchObject({ field: 'title', winner: { field: 'deleted' } });
    expect(b.writer.resolveConflict(id, 'title', conflict!.loser.hlc, 'loser').ok).toBe(false);
    // Nothing was written that would clear the notes elsewhere.
    expect(b.row(id)).toMatchObject({ description: null, deleted: 1 });
  });

  it('a restore from a member that kept the content brings it back, and the todo is no longer purged', async () => {
    const { a, b, c, id } = await titleAfterPurge();
    a.receive(c);
    a.time.now += 1000;
    expect(a.writer.restore(id).ok).toBe(true);
    b.receive(a);
    expect(b.row(id)).toMatchObject({
      title: 'Renew passport before June',
      description: 'Form B at the post office',
      deleted: 0,
    });
    expect(b.sql.get('SELECT purged_at FROM todos WHERE id = ?', [id])).toEqual({ purged_at: null });
    // Deleted again, it is in the trash like any deletion.
    b.time.now += 1000;
    expect(b.writer.remove(id).ok).toBe(true);
    expect(b.trash.list('', 10).items.map((i) => i.todo.title)).toEqual(['Renew passport before June']);
  });

  it('a purged row that arrives from a member, or was purged before the marker, counts as purged', async () => {
    const { b, id } = await purgedAtB();
    // A new member takes B's rows.
    const d = await aDevice();
    d.time.now = b.time.now;
    d.receive(b);
    expect(d.row(id)).toMatchObject({ title: PURGED_TITLE, description: null, deleted: 1 });
    expect(d.trash.list('', 10).total).toBe(0);
    expect(d.writer.restore(id).ok).toBe(false);
    // A database purged under schema 7 (by content): the migration marks the row.
    const old = await openMemoryDb({ migrate: false });
    applyMigrations(
      old,
      MIGRATIONS.filter((m) => m.version <= 7),
    );
    const row = b.sql.get<Record<string, SqlValue>>(`SELECT ${TODO_STORED_COLUMNS} FROM todos WHERE id = ?`, [
      id,
    ])!;
    old.run(
      `INSERT INTO todos (${TODO_STORED_COLUMNS}) VALUES (${TODO_STORED_COLUMNS.split(',')
        .map(() => '?')
        .join(', ')})`,
      Object.values(row),
    );
    applyMigrations(old);
    expect(old.get('SELECT purged_at IS NOT NULL AS purged FROM todos WHERE id = ?', [id])).toEqual({
      purged: 1,
    });
    expect(createTrash(old).list('', 10).total).toBe(0);
  });
});

/** A deletion made on A, purged on B 30 days on. */
async function purgedAtB() {
  const a = await aDevice();
  const b = await aDevice();
  const id = a.add('Renew passport', 'Form B at the post office');
  a.writer.remove(id);
  b.receive(a);
  b.time.now += PURGE_AFTER_MS;
  writeMemberVector(b.sql, a.deviceId, vector(b.row(id)!.deleted_hlc as Hlc));
  expect(purgeTombstones(b.sql, b.time.now, [a.deviceId])).toEqual([id]);
  return { a, b, id };
}

describe('restoring after a purge elsewhere', () => {
  /** A and B in sync; A deletes, B receives the deletion and purges it 30 days later; A has not purged. */
  async function purgedOnB() {
    const a = await aDevice();
    const b = await aDevice();
    const id = a.add('Renew passport', 'Form B at the post office');
    b.receive(a);
    a.time.now = b.time.now += 1000;
    a.writer.remove(id);
    b.receive(a);
    a.time.now = b.time.now += PURGE_AFTER_MS;
    writeMemberVector(b.sql, a.deviceId, vector(b.row(id)!.deleted_hlc as Hlc));
    expect(purgeTombstones(b.sql, b.time.now, [a.deviceId])).toEqual([id]);
    expect(b.row(id)).toMatchObject({ title: PURGED_TITLE, description: null, deleted: 1 });
    // A still lists it in "Recently deleted".
    expect(a.trash.list('', 10).items.map((i) => i.todo.title)).toEqual(['Renew passport']);
    return { a, b, id };
  }

  it('brings the title and description back on a device that purged the todo', async () => {
    const { a, b, id } = await purgedOnB();
    a.time.now += 1000;
    const r = a.writer.restore(id);
    expect(r.ok && r.todo).toMatchObject({ title: 'Renew passport', deleted: false });
    b.receive(a);
    expect(b.row(id)).toMatchObject({
      title: 'Renew passport',
      description: 'Form B at the post office',
      deleted: 0,
    });
    // One write under one stamp, which had seen everything: no conflict on either side, and A takes nothing back.
    const restored = a.row(id)!;
    expect(restored.title_hlc).toBe(restored.deleted_hlc);
    expect(restored.description_hlc).toBe(restored.deleted_hlc);
    expect(a.receive(b)).toEqual({ changed: 0, unchanged: 1 });
    expect(b.row(id)).toEqual(a.row(id));
    expect(a.journal.count() + b.journal.count()).toBe(0);
    // B's History shows the title it took back, not the blank the purge left.
    expect(todoHistory(b.sql, id).filter((e) => e.field === 'title')).toMatchObject([
      { value: 'Renew passport', current: true },
    ]);
  });

  it('keeping an edit over a deletion brings the content back on a device that purged the todo', async () => {
    const a = await aDevice();
    const b = await aDevice();
    const id = a.add('Call the bank');
    b.receive(a);
    // Apart: A edits the title, B deletes the todo; then they exchange.
    a.time.now = b.time.now += 1000;
    a.writer.update(id, { title: 'Call the bank about the card' });
    b.writer.remove(id);
    a.receive(b);
    b.receive(a);
    const [c] = a.journal.all();
    expect(c).toMatchObject({ field: 'title', winner: { field: 'deleted' } });
    // 30 days on B purges (A told it a vector covering the deletion); A has not purged yet.
    a.time.now = b.time.now += PURGE_AFTER_MS;
    writeMemberVector(b.sql, a.deviceId, vector(b.row(id)!.deleted_hlc as Hlc));
    expect(purgeTombstones(b.sql, b.time.now, [a.deviceId])).toEqual([id]);
    // "Keep this one" on A's edit, then B merges A's row.
    const r = a.writer.resolveConflict(id, 'title', c!.loser.hlc, 'loser');
    expect(r.ok && r.todo).toMatchObject({ title: 'Call the bank about the card', deleted: false });
    b.receive(a);
    expect(b.row(id)).toMatchObject({ title: 'Call the bank about the card', deleted: 0 });
    expect(a.journal.count() + b.journal.count()).toBe(0);
  });

  it('refuses to keep an edit over a deletion on a device that purged the todo', async () => {
    const [a, b, c] = [await aDevice(), await aDevice(), await aDevice()];
    const id = a.add('Renew passport', 'Form B at the post office');
    b.receive(a);
    c.receive(a);
    // Apart: A deletes, C raises the priority. B purges the deletion 30 days on, then meets C's edit.
    a.time.now = b.time.now = c.time.now += 1000;
    a.writer.remove(id);
    c.writer.update(id, { priority: 'high' });
    b.receive(a);
    b.time.now += PURGE_AFTER_MS;
    writeMemberVector(b.sql, a.deviceId, vector(b.row(id)!.deleted_hlc as Hlc));
    expect(purgeTombstones(b.sql, b.time.now, [a.deviceId])).toEqual([id]);
    b.receive(c);
    const [conflict] = b.journal.all();
    expect(conflict).toMatchObject({ field: 'priority', winner: { field: 'deleted' } });
    // Restoring would bring back a blank todo, on every member it reaches.
    expect(b.writer.resolveConflict(id, 'priority', conflict!.loser.hlc, 'loser')).toEqual({
      ok: false,
      error: expect.stringMatching(/can no longer be restored/),
    });
    expect(b.row(id)).toMatchObject({ title: PURGED_TITLE, description: null, deleted: 1 });
  });

  it('refuses to restore a todo this device has purged', async () => {
    const { b, id } = await purgedOnB();
    expect(b.writer.restore(id)).toEqual({
      ok: false,
      error: expect.stringMatching(/can no longer be restored/),
    });
    expect(b.row(id)).toMatchObject({ title: PURGED_TITLE, deleted: 1 });
  });

  it('a restore a day after the deletion keeps a title edited elsewhere meanwhile', async () => {
    const a = await aDevice();
    const b = await aDevice();
    const id = a.add('Renew passport', 'Form B at the post office');
    b.receive(a);
    // A deletes; B, not having heard, edits the title; A restores a day later, then they meet.
    a.time.now = b.time.now += 1000;
    a.writer.remove(id);
    b.time.now += 1000;
    b.writer.update(id, { title: 'Renew passport before June' });
    a.time.now = b.time.now += DAY_MS;
    const before = a.row(id)!;
    expect(a.writer.restore(id).ok).toBe(true);
    // Only the flag is written: no member can have purged a day-old deletion.
    expect(a.row(id)).toMatchObject({ title_hlc: before.title_hlc, description_hlc: before.description_hlc });
    a.receive(b);
    b.receive(a);
    for (const d of [a, b])
      expect(d.row(id)).toMatchObject({
        title: 'Renew passport before June',
        description: 'Form B at the post office',
        deleted: 0,
      });
  });

  it(`writes the title and description again once a purge may have happened (${PURGE_AFTER_DAYS} days less the clock drift)`, async () => {
    for (const [age, restamped] of [
      [PURGE_AFTER_MS - MAX_CLOCK_DRIFT_MS - 1, false],
      [PURGE_AFTER_MS - MAX_CLOCK_DRIFT_MS, true],
    ] as const) {
      const d = await aDevice();
      const id = d.add('Water the plants', 'Twice a week');
      d.writer.remove(id);
      const deletion = d.row(id)!.deleted_hlc as Hlc;
      d.time.now = wallOfHlc(deletion) + age;
      expect(d.writer.restore(id).ok).toBe(true);
      const r = d.row(id)!;
      expect(r).toMatchObject({ title: 'Water the plants', description: 'Twice a week', deleted: 0 });
      expect([r.title_hlc === r.deleted_hlc, r.description_hlc === r.deleted_hlc]).toEqual([
        restamped,
        restamped,
      ]);
    }
  });

  it('a restore writing the same title and description again records no new history', async () => {
    const d = await aDevice();
    const id = d.add('Water the plants', 'Twice a week');
    d.time.now += 1000;
    d.writer.remove(id);
    d.time.now += PURGE_AFTER_MS;
    const r = d.writer.restore(id);
    expect(r.ok && r.todo).toMatchObject({
      title: 'Water the plants',
      description: 'Twice a week',
      deleted: false,
    });
    expect(d.row(id)!.title_hlc).toBe(d.row(id)!.deleted_hlc);
    const fields = d.sql.all<{ field: string }>('SELECT DISTINCT field FROM todo_history WHERE todo_id = ?', [
      id,
    ]);
    expect(fields.map((f) => f.field)).toEqual(['deleted']);
    // History lists the title once (under the restore's stamp, which wrote it again).
    expect(todoHistory(d.sql, id).filter((e) => e.field === 'title')).toMatchObject([
      { value: 'Water the plants', current: true },
    ]);
  });
});
