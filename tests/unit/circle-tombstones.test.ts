/**
 * Tombstone collection in a circle (issue 14, docs/protocol.md "Tombstone collection"), through the DB worker's
 * wiring on in-memory SQLite with one in-memory relay per room: a deletion's content is purged once every
 * member has told a vector covering it and it is 30 days old, and a member that was away all along brings
 * neither the title nor the todo back.
 */
import { describe, expect, it } from 'vitest';
import type { TrashPage } from '../../lib/messages/trash-schema';
import { PURGED_TITLE } from '../../lib/db/tombstone-purge';
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
const trashTitles = (d: Device) =>
  data<TrashPage>(d.send({ kind: 'trash.list', query: { search: '', limit: 50 } })).items.map(
    (i) => i.todo.title,
  );

describe(`tombstone collection (after ${PURGE_AFTER_DAYS} days)`, () => {
  it('a member away for long with the old title brings back neither the title nor the todo', async () => {
    const { rooms, time, a, b, c, id } = await threeWithATodo();
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
