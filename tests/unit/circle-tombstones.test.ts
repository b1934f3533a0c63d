/**
 * Tombstone collection in a circle (issue 14, docs/protocol.md "Tombstone collection"), through the DB worker's
 * wiring on in-memory SQLite with one in-memory relay per room: a deletion's content is purged once every
 * member has told a vector covering it and it is 30 days old, and a member that was away all along brings
 * neither the title nor the todo back.
 */
import { describe, expect, it } from 'vitest';
import type { TrashPage } from '../../lib/messages/trash-schema';
import { PURGED_TITLE } from '../../lib/db/tombstone-purge';
import { createSqliteSyncStorage } from '../../lib/db/sync-storage';
import { HLC_ZERO } from '../../lib/model/hlc';
import type { SyncRow } from '../../lib/model/merge';
import { fromWireRow, toWireRow } from '../../lib/protocol/wire-row';
import { isWireRow } from '../../lib/protocol/wire-row-check';
import { DAY_MS, PURGE_AFTER_DAYS } from '../../lib/model/tombstones';
import { circleOf, cutOff, data, goOffline, Rooms, settle, type Device } from './circle-harness';

const TITLE = 'Renew passport';

async function threeWithATodo() {
  const {
    rooms,
    time,
    devices: [a, b, c],
  } = await circleOf(['Laptop', 'Firefox', 'Old phone']);
  const { id } = data<{ id: string }>(
    a.send({ kind: 'todos.create', input: { title: TITLE, description: 'Form B at the post office' } }),
  );
  await settle(rooms, [a, b, c]);
  expect(c.titles()).toEqual([TITLE]);
  return { rooms, time, a, b, c, id: id as never };
}

/** The device's socket drops and it joins again: its first exchange with each member online is a round. */
async function rejoin(rooms: Rooms, d: Device, all: Device[]) {
  goOffline(rooms, d);
  await settle(rooms, all);
  await d.sync.startCircle();
  await settle(rooms, all);
}

const rowOf = (d: Device, id: string) =>
  d.sql.get<{ title: string; description: string | null; deleted: number; deleted_hlc: string }>(
    'SELECT title, description, deleted, deleted_hlc FROM todos WHERE id = ?',
    [id],
  );
/** Content gone, the deletion (its flag and stamp) as it was, and out of "Recently deleted". */
function expectPurged(d: Device, id: string, stamp: string) {
  expect(rowOf(d, id)).toEqual({ title: PURGED_TITLE, description: null, deleted: 1, deleted_hlc: stamp });
  expect(trashTitles(d)).toEqual([]);
}
/** Every row `d` holds, as it travels (a wire row, read back by the receiver). */
function heldBy(d: Device, time: { now: number }): SyncRow[] {
  return createSqliteSyncStorage(d.sql, () => time.now)
    .pageAbove(HLC_ZERO, null, 100)
    .map((r) => {
      const w = JSON.parse(JSON.stringify(toWireRow(r))) as unknown;
      if (!isWireRow(w)) throw new Error('not a wire row');
      return fromWireRow(w);
    });
}
const trashTitles = (d: Device) =>
  data<TrashPage>(d.send({ kind: 'trash.list', query: { search: '', limit: 50 } })).items.map(
    (i) => i.todo.title,
  );

describe(`tombstone collection (after ${PURGE_AFTER_DAYS} days)`, () => {
  it('a member away for long with the old title brings back neither the title nor the todo', async () => {
    const { rooms, time, a, b, c, id } = await threeWithATodo();
    // The todo as the old phone holds it before the deletion, as it would travel.
    const heldLive = heldBy(c, time);
    expect(heldLive).toMatchObject([{ id, title: TITLE, deleted: false }]);
    time.now += 1_000;
    a.send({ kind: 'todos.remove', id });
    await settle(rooms, [a, b, c]);
    // Every member has the deletion, and says so in a round with the others.
    await rejoin(rooms, b, [a, b, c]);
    await rejoin(rooms, c, [a, b, c]);
    const stamp = rowOf(a, id)!.deleted_hlc;
    expect(rowOf(c, id)).toMatchObject({ title: TITLE, deleted: 1, deleted_hlc: stamp });

    // The old phone is put in a drawer, still holding the title.
    cutOff(rooms, c);
    await settle(rooms, [a, b, c]);
    time.now += (PURGE_AFTER_DAYS + 1) * DAY_MS;
    await rejoin(rooms, a, [a, b]);
    await rejoin(rooms, b, [a, b]);
    for (const d of [a, b]) {
      expectPurged(d, id, stamp);
    }
    expect(rowOf(c, id)).toMatchObject({ title: TITLE, deleted: 1 });
    const heldDeleted = heldBy(c, time);

    // Back from the drawer, with an edit of its own to sync.
    time.now += 10 * DAY_MS;
    c.send({ kind: 'todos.create', input: { title: 'Found the old phone' } });
    rooms.reconnect(c.id);
    await c.sync.startCircle();
    await settle(rooms, [a, b, c]);
    for (const d of [a, b, c]) {
      expect(d.titles()).toEqual(['Found the old phone']);
      expectPurged(d, id, stamp);
    }

    // A round does not send what the other side has already seen; whatever the phone sends, the purged
    // todo stays deleted and purged: its old row, live or deleted, merged into A as it comes off the wire.
    const aStorage = createSqliteSyncStorage(a.sql, () => time.now);
    for (const rows of [heldLive, heldDeleted]) {
      aStorage.applyRows(rows);
      expectPurged(a, id, stamp);
      expect(a.titles()).toEqual(['Found the old phone']);
    }
  });

  it('is not purged while one member has not told a vector covering the deletion', async () => {
    const { rooms, time, a, b, c, id } = await threeWithATodo();
    // The old phone is away before the deletion: it still holds the todo as live.
    cutOff(rooms, c);
    await settle(rooms, [a, b, c]);
    time.now += 1_000;
    a.send({ kind: 'todos.remove', id });
    await settle(rooms, [a, b]);
    await rejoin(rooms, b, [a, b]);

    time.now += (PURGE_AFTER_DAYS + 1) * DAY_MS;
    await rejoin(rooms, a, [a, b]);
    expect(rowOf(a, id)).toMatchObject({ title: TITLE, deleted: 1 });
    expect(trashTitles(a)).toEqual([TITLE]);
    expect(c.titles()).toEqual([TITLE]);

    // It comes back: the round brings it the deletion (the vector it told at the round's start did not
    // cover it yet, so still no purge) …
    time.now += DAY_MS;
    rooms.reconnect(c.id);
    await c.sync.startCircle();
    await settle(rooms, [a, b, c]);
    expect(c.titles()).toEqual([]);
    expect(trashTitles(a)).toEqual([TITLE]);
    expect(a.titles()).toEqual([]);

    // … and its next round tells a vector that covers it: now every member has seen the deletion.
    time.now += DAY_MS;
    await rejoin(rooms, c, [a, b, c]);
    expect(rowOf(a, id)).toMatchObject({ title: PURGED_TITLE, deleted: 1 });
    expect(trashTitles(a)).toEqual([]);
    for (const d of [a, b, c]) expect(d.titles()).toEqual([]);
  });

  it('a device alone purges after the days alone', async () => {
    const rooms = new Rooms();
    const {
      time,
      devices: [a],
    } = await circleOf(['Laptop'], rooms);
    const { id } = data<{ id: string }>(a.send({ kind: 'todos.create', input: { title: TITLE } }));
    a.send({ kind: 'todos.remove', id: id as never });
    time.now += (PURGE_AFTER_DAYS - 1) * DAY_MS;
    await a.sync.startCircle();
    expect(trashTitles(a)).toEqual([TITLE]);
    time.now += 2 * DAY_MS;
    await a.sync.startCircle();
    expect(trashTitles(a)).toEqual([]);
    expect(rowOf(a, id)).toMatchObject({ title: PURGED_TITLE, deleted: 1 });
    expect(a.events).toContainEqual({ kind: 'todos.changed', ids: [], op: 'bulk' });
  });
});
