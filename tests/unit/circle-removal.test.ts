/**
 * Removing a device from a circle (issue 11), through the DB worker's wiring on in-memory SQLite with
 * one in-memory relay per room: the removed device is cut off, the rest carry on in a new epoch.
 */
import { describe, expect, it } from 'vitest';
import { circleRoom } from '../../lib/circle/circle-keys';
import { loadCircle, loadOldRooms } from '../../lib/db/circle-store';
import {
  circleOf,
  cutOff,
  data,
  device,
  goOffline,
  memberNames as names,
  pair,
  settle,
  type Device,
} from './circle-harness';
import { mulberry32 } from './seeded-random';

async function threeInACircle() {
  const {
    rooms,
    time,
    devices: [a, b, c],
  } = await circleOf(['Laptop', 'Firefox', 'Old phone']);
  return { rooms, time, a, b, c };
}

const idOf = (d: Device) => d.id;
const epochOf = (d: Device) => loadCircle(d.sql)?.circle.epoch ?? null;
const secretOf = (d: Device) => loadCircle(d.sql)?.circle.secret ?? null;

describe('removing a device', () => {
  it('cuts the removed device off at once; the others carry on live in a new room', async () => {
    const { rooms, time, a, b, c } = await threeInACircle();
    a.send({ kind: 'todos.create', input: { title: 'Shared before' } });
    await settle(rooms, [a, b, c]);
    expect(c.titles()).toEqual(['Shared before']);
    const oldSecret = secretOf(a)!;

    time.now += 60_000;
    data(a.send({ kind: 'circle.remove', id: c.id }));
    await settle(rooms, [a, b, c]);

    expect(names(a)).toEqual(['Firefox', 'Laptop']);
    expect(names(b)).toEqual(['Firefox', 'Laptop']);
    expect([epochOf(a), epochOf(b)]).toEqual([2, 2]);
    expect(secretOf(b)).toBe(secretOf(a));
    expect(secretOf(a)).not.toBe(oldSecret);
    // C was told, by name and time, and is a device of its own again.
    expect(c.circle()).toEqual({ state: 'none', removed: { by: 'Laptop', at: time.now } });
    expect(loadCircle(c.sql)).toBeNull();

    time.now += 60_000;
    a.send({ kind: 'todos.create', input: { title: 'After, from A' } });
    c.send({ kind: 'todos.create', input: { title: 'After, from C' } });
    await settle(rooms, [a, b, c]);
    b.send({ kind: 'todos.create', input: { title: 'After, from B' } });
    await settle(rooms, [a, b, c]);
    expect(b.titles()).toEqual(['After, from A', 'After, from B', 'Shared before']);
    expect(a.titles()).toEqual(['After, from A', 'After, from B', 'Shared before']);
    expect(c.titles()).toEqual(['After, from C', 'Shared before']);

    // Nobody but A and B ever sent a frame in the new epoch's room.
    const room = await circleRoom(loadCircle(a.sql)!.circle);
    const senders = new Set(rooms.room('circle', room.roomId).sent.map((f) => f.from));
    expect([...senders].sort()).toEqual([a.id, b.id].sort());
  });

  it('works with only the remover online: a member that was away moves when it meets it', async () => {
    const { rooms, time, a, b, c } = await threeInACircle();
    goOffline(rooms, b);
    goOffline(rooms, c);
    await settle(rooms, [a, b, c]);
    data(a.send({ kind: 'circle.remove', id: c.id }));
    await settle(rooms, [a, b, c]);
    expect(epochOf(a)).toBe(2);
    expect(epochOf(b)).toBe(1);
    expect(loadOldRooms(a.sql)).toHaveLength(1); // A keeps listening in the room it left

    // B and C come back at once, both still in the old room: B moves, C learns it was removed.
    time.now += 3_600_000;
    await Promise.all([b.sync.startCircle(), c.sync.startCircle()]);
    await settle(rooms, [a, b, c]);
    expect(epochOf(b)).toBe(2);
    expect(c.circle()).toMatchObject({ state: 'none', removed: { by: 'Laptop' } });
    b.send({ kind: 'todos.create', input: { title: 'B, after' } });
    await settle(rooms, [a, b, c]);
    expect(a.titles()).toContain('B, after');
    expect(c.titles()).not.toContain('B, after');
  });

  it('a removed device that pairs again rejoins, and all three converge', async () => {
    const { rooms, time, a, b, c } = await threeInACircle();
    data(a.send({ kind: 'circle.remove', id: c.id }));
    await settle(rooms, [a, b, c]);
    c.send({ kind: 'todos.create', input: { title: 'Made while out' } });
    time.now += 60_000;
    await pair(rooms, a, c, [a, b, c]);
    expect(c.circle()).toMatchObject({ state: 'on' });
    for (const d of [a, b, c]) expect(names(d)).toEqual(['Firefox', 'Laptop', 'Old phone']);
    b.send({ kind: 'todos.create', input: { title: 'From B' } });
    await settle(rooms, [a, b, c]);
    for (const d of [a, b, c]) expect(d.titles()).toEqual(['From B', 'Made while out']);

    // Back in, C is a member like any other: it can remove B, and B takes it.
    data(c.send({ kind: 'circle.remove', id: b.id }));
    await settle(rooms, [a, b, c]);
    expect(b.circle()).toMatchObject({ state: 'none', removed: { by: 'Old phone' } });
    expect(names(a)).toEqual(['Laptop', 'Old phone']);
    expect([epochOf(a), epochOf(c)]).toEqual([3, 3]);
  });

  it('a device added while another member removed one joins the new epoch too', async () => {
    const { rooms, time, a, b, c } = await threeInACircle();
    const e = await device(rooms, time, 'New tablet');
    // A is offline when it removes C; meanwhile B adds E in the old epoch.
    cutOff(rooms, a);
    await settle(rooms, [a, b, c, e]);
    data(a.send({ kind: 'circle.remove', id: c.id }));
    await pair(rooms, b, e, [a, b, c, e]);
    expect(names(e)).toEqual(['Firefox', 'Laptop', 'New tablet', 'Old phone']);
    // A is back: B moves with A's wrap; E gets a wrap from a member that knows it.
    rooms.reconnect(a.id);
    await settle(rooms, [a, b, c, e]);
    for (const d of [a, b, e]) expect(names(d), d.id).toEqual(['Firefox', 'Laptop', 'New tablet']);
    expect(new Set([a, b, e].map(secretOf)).size).toBe(1);
    expect(c.circle()).toMatchObject({ state: 'none', removed: { by: 'Laptop' } });
    time.now += 60_000;
    e.send({ kind: 'todos.create', input: { title: 'From the tablet' } });
    await settle(rooms, [a, b, c, e]);
    expect(a.titles()).toContain('From the tablet');
    expect(c.titles()).not.toContain('From the tablet');
  });

  it('refuses to remove this device itself or a device not in the circle', async () => {
    const { a } = await threeInACircle();
    const self = a.send({ kind: 'circle.remove', id: a.id });
    expect(self.ok).toBe(false);
    const stranger = a.send({ kind: 'circle.remove', id: '99999999-9999-4999-8999-999999999999' });
    expect(stranger.ok).toBe(false);
    expect(epochOf(a)).toBe(1);
  });
});

describe('concurrent removals', () => {
  const SEEDS = Number(process.env.REMOVAL_SEEDS ?? 12);
  for (let seed = 1; seed <= SEEDS; seed++) {
    it(`converge to one roster and one epoch (seed ${seed})`, async () => {
      const rand = mulberry32(seed);
      const { rooms, time, devices: all } = await circleOf(['A', 'B', 'C', 'D', 'E']);
      // Two or three members each remove another at the same moment, some of the rest offline.
      const shuffled = [...all].sort(() => rand() - 0.5);
      const removers = shuffled.slice(0, 2 + Math.floor(rand() * 2));
      const removedIds = new Set<string>();
      const away = all.filter((d) => !removers.includes(d) && rand() < 0.4);
      for (const d of away) goOffline(rooms, d);
      await settle(rooms, all);
      for (const r of removers) {
        const targets = all.filter((d) => d !== r && !removers.includes(d));
        const t = targets[Math.floor(rand() * targets.length)]!;
        removedIds.add(t.id);
        data(r.send({ kind: 'circle.remove', id: t.id }));
      }
      const pick = (n: number) => Math.floor(rand() * n);
      await settle(rooms, all, [], pick);
      for (const d of away) await d.sync.startCircle();
      await settle(rooms, all, [], pick);

      const kept = all.filter((d) => !removedIds.has(d.id));
      const gone = all.filter((d) => removedIds.has(d.id));
      const circles = kept.map((d) => loadCircle(d.sql)?.circle);
      expect(new Set(circles.map((c) => `${c?.epoch}|${c?.secret}`)).size, `seed ${seed}`).toBe(1);
      for (const c of circles) expect(c?.members.map((m) => m.id).sort()).toEqual(kept.map(idOf).sort());
      for (const d of gone) expect(d.circle(), `seed ${seed}`).toMatchObject({ state: 'none' });
      // And they still sync: a todo from the first kept member reaches every kept one, none removed.
      time.now += 60_000;
      kept[0]!.send({ kind: 'todos.create', input: { title: `After ${seed}` } });
      await settle(rooms, all, [], pick);
      for (const d of kept) expect(d.titles()).toContain(`After ${seed}`);
      for (const d of gone) expect(d.titles()).not.toContain(`After ${seed}`);
    });
  }
});
