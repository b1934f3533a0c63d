/**
 * Circles through the DB worker's wiring (worker-sync + worker-circle) on in-memory SQLite, with one
 * in-memory relay per room: pairing sessions and circle rooms are different rooms, as on the relay.
 */
import { describe, expect, it, vi } from 'vitest';
import { circleRoom } from '../../lib/circle/circle-keys';
import { loadCircle } from '../../lib/db/circle-store';
import { createCircleEngine } from '../../lib/sync/circle-engine';
import { createSqliteSyncStorage } from '../../lib/db/sync-storage';
import { newIdentity } from '../../lib/crypto/identity';
import { openMemoryDb } from '../../lib/db/node-memory';
import { createTodoWriter } from '../../lib/db/todo-writes';
import { createHybridClock } from '../../lib/model/hlc';
import { newDeviceId } from '../../lib/model/ids';
import { manualTimers } from './sync-harness';
import { data, device, goOffline, memberNames, pair, Rooms, settle } from './circle-harness';

describe('circles', () => {
  it('pairing once puts both devices in a circle that then syncs every change by itself', async () => {
    const rooms = new Rooms();
    const time = { now: 1_800_000_000_000 };
    const a = await device(rooms, time, 'Laptop');
    const b = await device(rooms, time, 'Phone');
    expect(a.circle()).toEqual({ state: 'none' });
    a.send({ kind: 'todos.create', input: { title: 'Before pairing' } });
    await pair(rooms, a, b, [a, b]);
    expect(b.titles()).toEqual(['Before pairing']);
    expect(memberNames(a)).toEqual(['Laptop', 'Phone']);
    expect(memberNames(b)).toEqual(['Laptop', 'Phone']);

    // No link, no button: a write on either side reaches the other.
    time.now += 60_000;
    const t = data<{ id: string }>(a.send({ kind: 'todos.create', input: { title: 'Live from A' } }));
    await settle(rooms, [a, b]);
    expect(b.titles()).toEqual(['Before pairing', 'Live from A']);
    expect(b.events).toContainEqual({ kind: 'todos.changed', ids: [], op: 'bulk' });
    b.send({ kind: 'todos.update', id: t.id as never, patch: { title: 'Edited on B' } });
    await settle(rooms, [a, b]);
    expect(a.titles()).toEqual(['Before pairing', 'Edited on B']);

    const s = a.circle();
    expect(s).toMatchObject({ state: 'on', connected: true });
    if (s.state !== 'on') throw new Error('no circle');
    const phone = s.members.find((m) => m.name === 'Phone');
    expect(phone).toMatchObject({ online: true, pending: 0, lastSync: time.now });
  });

  it('with "Sync automatically" off, nothing syncs until "Sync now", which then ends by itself', async () => {
    const rooms = new Rooms();
    const time = { now: 1_800_000_000_000 };
    const a = await device(rooms, time, 'Laptop');
    const b = await device(rooms, time, 'Phone');
    await pair(rooms, a, b, [a, b]);
    expect(data(a.send({ kind: 'circle.setAuto', on: false }))).toMatchObject({
      auto: false,
      connected: false,
    });
    await settle(rooms, [a, b]);
    time.now += 60_000;
    a.send({ kind: 'todos.create', input: { title: 'Held until Sync now' } });
    await settle(rooms, [a, b]);
    expect(b.titles()).toEqual([]);
    expect(a.sync.circle.engine).toBeNull();
    const s = a.circle();
    if (s.state !== 'on') throw new Error('no circle');
    expect(s.members.find((m) => m.name === 'Phone')).toMatchObject({ pending: 1 });

    a.send({ kind: 'circle.sync' });
    await settle(rooms, [a, b]);
    expect(b.titles()).toEqual(['Held until Sync now']);
    // Every member online has synced: the socket closes again (a few seconds later, real time).
    await vi.waitFor(() => expect(a.sync.circle.engine).toBeNull(), { timeout: 10_000, interval: 50 });
    // B still syncs by itself: its change waits for A's next "Sync now".
    b.send({ kind: 'todos.create', input: { title: 'From B' } });
    await settle(rooms, [a, b]);
    expect(a.titles()).toEqual(['Held until Sync now']);
    data(a.send({ kind: 'circle.setAuto', on: true }));
    await settle(rooms, [a, b]);
    expect(a.titles()).toEqual(['From B', 'Held until Sync now']);
  });

  it('a hidden page sends what waits, then closes its socket; shown again, it catches up', async () => {
    const rooms = new Rooms();
    const time = { now: 1_800_000_000_000 };
    const a = await device(rooms, time, 'Phone');
    const b = await device(rooms, time, 'Laptop');
    await pair(rooms, a, b, [a, b]);
    time.now += 60_000;
    a.send({ kind: 'todos.create', input: { title: 'Typed just before the phone locked' } });
    a.send({ kind: 'circle.visible', visible: false });
    await settle(rooms, [a, b]);
    expect(b.titles()).toEqual(['Typed just before the phone locked']);
    await vi.waitFor(() => expect(a.sync.circle.engine).toBeNull(), { timeout: 10_000, interval: 50 });
    await settle(rooms, [a, b]);
    const s = b.circle();
    if (s.state !== 'on') throw new Error('no circle');
    expect(s.members.find((m) => m.name === 'Phone')).toMatchObject({ online: false });

    b.send({ kind: 'todos.create', input: { title: 'While the phone slept' } });
    await settle(rooms, [a, b]);
    expect(a.titles()).toEqual(['Typed just before the phone locked']);
    a.send({ kind: 'circle.visible', visible: true });
    await settle(rooms, [a, b]);
    expect(a.titles()).toEqual(['Typed just before the phone locked', 'While the phone slept']);
  });

  it('counts what an offline member has not seen, and catches it up when it is back', async () => {
    const rooms = new Rooms();
    const time = { now: 1_800_000_000_000 };
    const a = await device(rooms, time, 'Laptop');
    const b = await device(rooms, time, 'Phone');
    await pair(rooms, a, b, [a, b]);
    goOffline(rooms, b);
    await settle(rooms, [a, b]);
    for (const title of ['One', 'Two', 'Three']) a.send({ kind: 'todos.create', input: { title } });
    await settle(rooms, [a, b]);
    const s = a.circle();
    if (s.state !== 'on') throw new Error('no circle');
    expect(s.members.find((m) => m.name === 'Phone')).toMatchObject({ online: false, pending: 3 });
    expect(b.titles()).toEqual([]);

    // B starts again (its browser opens).
    await b.sync.startCircle();
    await settle(rooms, [a, b]);
    expect(b.titles()).toEqual(['One', 'Three', 'Two']);
    const after = a.circle();
    if (after.state !== 'on') throw new Error('no circle');
    expect(after.members.find((m) => m.name === 'Phone')).toMatchObject({ online: true, pending: 0 });
  });

  it('is transitive: a device paired with B syncs with A, which was offline when it was added', async () => {
    const rooms = new Rooms();
    const time = { now: 1_800_000_000_000 };
    const a = await device(rooms, time, 'Laptop');
    const b = await device(rooms, time, 'Firefox');
    const c = await device(rooms, time, 'Phone');
    await pair(rooms, a, b, [a, b]);
    goOffline(rooms, a);
    await settle(rooms, [a, b]);
    await pair(rooms, b, c, [a, b, c]);
    expect(memberNames(c)).toEqual(['Firefox', 'Laptop', 'Phone']);
    expect(memberNames(a)).toEqual(['Firefox', 'Laptop']); // A has not heard of C yet

    // B goes away; A comes back: A and C meet in the room with nobody to introduce them.
    goOffline(rooms, b);
    await settle(rooms, [a, b, c]);
    c.send({ kind: 'todos.create', input: { title: 'From the phone' } });
    await a.sync.startCircle();
    await settle(rooms, [a, c]);
    expect(memberNames(a)).toEqual(['Firefox', 'Laptop', 'Phone']);
    expect(a.titles()).toEqual(['From the phone']);
  });

  it('pairing two circles joins them: every member ends in one circle', async () => {
    const rooms = new Rooms();
    const time = { now: 1_800_000_000_000 };
    const [a, b, d, e] = await Promise.all([
      device(rooms, time, 'A'),
      device(rooms, time, 'B'),
      device(rooms, time, 'D'),
      device(rooms, time, 'E'),
    ]);
    await pair(rooms, a, b, [a, b, d, e]);
    await pair(rooms, d, e, [a, b, d, e]);
    d.send({ kind: 'todos.create', input: { title: 'From D' } });
    await settle(rooms, [a, b, d, e]);
    // E (in D's circle) pairs with A: D follows E into A's circle.
    await pair(rooms, a, e, [a, b, d, e]);
    for (const dev of [a, b, d, e]) expect(memberNames(dev)).toEqual(['A', 'B', 'D', 'E']);
    const ids = new Set([a, b, d, e].map((dev) => loadCircle(dev.sql)?.circle.id));
    expect(ids.size).toBe(1);
    a.send({ kind: 'todos.create', input: { title: 'From A' } });
    await settle(rooms, [a, b, d, e]);
    for (const dev of [a, b, d, e]) expect(dev.titles()).toEqual(['From A', 'From D']);
  });

  it('a holder of the circle secret that is not on the roster gets nothing and changes nothing', async () => {
    const rooms = new Rooms();
    const time = { now: 1_800_000_000_000 };
    const a = await device(rooms, time, 'A');
    const b = await device(rooms, time, 'B');
    await pair(rooms, a, b, [a, b]);
    a.send({ kind: 'todos.create', input: { title: 'Private' } });
    await settle(rooms, [a, b]);

    // A stranger who learned the secret (not the roster's signatures) joins the room.
    const stored = loadCircle(a.sql)!;
    const room = await circleRoom(stored.circle);
    const strangerSql = await openMemoryDb();
    const strangerId = newDeviceId();
    const clock = createHybridClock(strangerId, () => time.now);
    createTodoWriter({ sql: strangerSql, clock, deviceId: strangerId, now: () => time.now }).create({
      title: 'Injected',
    });
    const stranger = createCircleEngine({
      storage: createSqliteSyncStorage(strangerSql, () => time.now),
      transport: rooms.room('circle', room.roomId).transport(strangerId),
      clock,
      deviceId: strangerId,
      identity: await newIdentity(),
      deviceName: 'Stranger',
      circle: stored.circle,
      room,
      timers: manualTimers(),
    });
    await stranger.start();
    stranger.push();
    await settle(rooms, [a, b], [stranger]);
    expect(strangerSql.all('SELECT title FROM todos WHERE deleted = 0')).toEqual([{ title: 'Injected' }]);
    expect(a.titles()).toEqual(['Private']);
    expect(memberNames(a)).toEqual(['A', 'B']);
  });
});
