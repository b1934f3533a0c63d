/**
 * Seeded random convergence of a circle: 3–5 members in one room on in-memory SQLite over the
 * in-memory relay, with no pairing session at all. A random schedule of writes (each pushed live),
 * partial deliveries, live pushes lost at random, duplicated frames, members whose socket drops and
 * comes back (partysocket's reconnect), members that restart (a new engine on the same database),
 * and the relay restarting (every socket drops at once). Then faults stop, everyone reconnects, and
 * nobody presses anything: the catch-up rounds on reconnect alone must make every replica equal and
 * lose no write. Replay one seed with CIRCLE_SEED=<n>.
 */
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { circleRoom } from '../../lib/circle/circle-keys';
import { addMember } from '../../lib/circle/membership';
import { foundCircle, type Circle } from '../../lib/circle/roster';
import { newIdentity, type DeviceIdentity } from '../../lib/crypto/identity';
import { openMemoryDb } from '../../lib/db/node-memory';
import type { Sql } from '../../lib/db/sql';
import { createSqliteSyncStorage } from '../../lib/db/sync-storage';
import { createTodoWriter } from '../../lib/db/todo-writes';
import { createHybridClock } from '../../lib/model/hlc';
import type { DeviceId, TodoId } from '../../lib/model/ids';
import { PRIORITIES } from '../../lib/model/todo';
import { createCircleEngine, type CircleEngine } from '../../lib/sync/circle-engine';
import { createMemoryRelay, type MemoryRelay } from '../../lib/sync/memory-transport';
import type { Transport } from '../../lib/sync/ports';
import type { Timers } from '../../lib/sync/ports';
import { snapshot } from './sync-harness';
import { mulberry32 } from './seeded-random';

/** Timers fired by the schedule: short ones (the push delay) while frames flow, long ones when time passes. */
function steppedTimers(): Timers & { fire(upToMs: number): void } {
  const pending = new Map<() => void, number>();
  return {
    set(fn, ms) {
      pending.set(fn, ms);
      return () => pending.delete(fn);
    },
    fire(upToMs) {
      const due = [...pending].filter(([, ms]) => ms <= upToMs).map(([fn]) => fn);
      for (const fn of due) pending.delete(fn);
      for (const fn of due) fn();
    },
  };
}

const T0 = 1_800_000_000_000;

function seededUuid(rand: () => number): DeviceId {
  const hex = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16));
  hex[12] = '4';
  hex[16] = '8';
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}` as DeviceId;
}

interface Member {
  id: DeviceId;
  sql: Sql;
  identity: DeviceIdentity;
  writer: ReturnType<typeof createTodoWriter>;
  clock: ReturnType<typeof createHybridClock>;
  engine: CircleEngine;
  transport: Transport;
  timers: ReturnType<typeof steppedTimers>;
}

async function circleOf(ids: DeviceId[], identities: DeviceIdentity[]): Promise<Circle> {
  const founder = { id: ids[0]!, identity: identities[0]! };
  let c = await foundCircle({
    self: founder.id,
    identity: founder.identity,
    name: 'm0',
    now: T0,
    secret: 'A'.repeat(43),
    circleId: '00000000-0000-4000-8000-000000000000',
  });
  for (let i = 1; i < ids.length; i++)
    c = (await addMember(
      c,
      founder,
      { id: ids[i]!, keys: identities[i]!.public, name: `m${i}` },
      T0,
    )) as Circle;
  return c;
}

async function settle(relay: MemoryRelay, members: Member[], pick: (n: number) => number) {
  const idle = () => Promise.all(members.map((m) => m.engine.idle()));
  for (let i = 0; i < 50_000; i++) {
    await idle();
    for (const m of members) m.timers.fire(100);
    await idle();
    if (!relay.deliverOne(pick)) {
      await idle();
      if (relay.pending() === 0) return;
    }
  }
  throw new Error('frames kept flowing');
}

export async function runCircleConvergence(seed: number): Promise<string | null> {
  const rand = mulberry32(seed);
  const int = (k: number) => Math.floor(rand() * k);
  const pick = (k: number) => int(k);
  const n = 3 + int(3);
  const time = { now: T0 };
  const ids = Array.from({ length: n }, () => seededUuid(rand));
  const identities = await Promise.all(ids.map(() => newIdentity()));
  const circle = await circleOf(ids, identities);
  const room = await circleRoom(circle);
  const relay = createMemoryRelay();
  const down = new Set<number>();

  async function start(i: number, sql?: Sql): Promise<Member> {
    const id = ids[i]!;
    const db = sql ?? (await openMemoryDb());
    const now = () => time.now;
    const clock = createHybridClock(id, now);
    const timers = steppedTimers();
    const transport = relay.transport(id);
    const engine = createCircleEngine({
      storage: createSqliteSyncStorage(db, now),
      transport,
      clock,
      deviceId: id,
      identity: identities[i]!,
      deviceName: `m${i}`,
      circle,
      room,
      physicalNow: now,
      random: rand,
      timers,
      silenceTimeoutMs: 30_000,
    });
    await engine.start();
    return {
      id,
      sql: db,
      identity: identities[i]!,
      writer: createTodoWriter({ sql: db, clock, deviceId: id, now }),
      clock,
      engine,
      transport,
      timers,
    };
  }
  const members: Member[] = [];
  for (let i = 0; i < n; i++) members.push(await start(i));
  await settle(relay, members, pick);

  const live = new Set<string>();
  const someTodo = (m: Member): TodoId | undefined => {
    const all = m.sql.all<{ id: TodoId }>('SELECT id FROM todos ORDER BY id');
    return all.length ? all[int(all.length)]!.id : undefined;
  };

  const steps = 60 + int(60);
  for (let s = 0; s < steps; s++) {
    time.now += int(3000);
    const i = int(n);
    const m = members[i]!;
    const op = rand();
    if (op < 0.25) {
      const r = m.writer.create({ title: `new ${s}`, priority: PRIORITIES[int(3)]! });
      if (r.ok) live.add(r.todo.id);
      m.engine.push();
    } else if (op < 0.45) {
      const id = someTodo(m);
      if (id) {
        const k = int(4);
        if (k === 0) m.writer.update(id, { title: `t${int(1000)}` });
        else if (k === 1) m.writer.update(id, { completed: rand() < 0.5 });
        else if (k === 2) m.writer.remove(id);
        else m.writer.restore(id);
        m.engine.push();
      }
    } else if (op < 0.65) {
      for (let k = int(30); k > 0; k--) {
        await Promise.all(members.map((x) => x.engine.idle()));
        for (const x of members) if (rand() < 0.3) x.timers.fire(100);
        relay.deliverOne(pick, rand() < 0.2 ? (len) => int(len) : undefined);
      }
    } else if (op < 0.72) {
      // Live pushes (and anything else) lost at random for a while.
      const rate = rand() * 0.4;
      relay.setDrop(rand() < 0.5 ? null : () => rand() < rate);
    } else if (op < 0.76) {
      const rate = rand() * 0.3;
      relay.setDuplicate(rand() < 0.5 ? null : () => rand() < rate);
    } else if (op < 0.84) {
      // A member's network drops, or comes back (partysocket reconnects the same socket object).
      if (down.has(i)) {
        down.delete(i);
        m.transport.connect();
      } else {
        down.add(i);
        relay.disconnect(m.id);
      }
    } else if (op < 0.88) {
      // A restart: a new engine (new nonce) on the same database.
      relay.disconnect(m.id);
      await m.engine.stop();
      members[i] = await start(i, m.sql);
      if (down.has(i)) relay.disconnect(m.id);
    } else if (op < 0.9) {
      // The relay restarts: every socket drops, and every member reconnects.
      for (const x of members) relay.disconnect(x.id);
      await Promise.all(members.map((x) => x.engine.idle()));
      for (const [k, x] of members.entries()) if (!down.has(k)) x.transport.connect();
    } else if (op < 0.95) {
      // Time passes: silent rounds end, retries and JOIN repeats are due.
      time.now += 30_000;
      for (const x of members) x.timers.fire(Infinity);
    } else {
      await settle(relay, members, pick);
    }
  }

  // Faults stop and every member is back; nobody presses anything. Time passes (up to a few
  // minutes) so stalled rounds end and their retries run.
  relay.setDrop(null);
  relay.setDuplicate(null);
  await settle(relay, members, pick);
  for (const i of down) members[i]!.transport.connect();
  down.clear();
  for (let minute = 0; minute < 8; minute++) {
    await settle(relay, members, pick);
    time.now += 30_000;
    for (const x of members) x.timers.fire(Infinity);
  }
  await settle(relay, members, pick);

  const reference = JSON.stringify(snapshot(members[0]!.sql));
  for (const [k, m] of members.entries()) {
    if (JSON.stringify(snapshot(m.sql)) !== reference) {
      if (process.env.CIRCLE_DEBUG)
        writeFileSync(
          process.env.CIRCLE_DEBUG,
          JSON.stringify(
            members.map((x, j) => ({
              j,
              rows: snapshot(x.sql).length,
              online: x.engine.online().map((o) => ids.indexOf(o)),
              connected: x.engine.connected,
              log: x.sql
                .all<{ p: string; s: string; e: string | null; n: number; r: number }>(
                  'SELECT remote_device_id AS p, status AS s, error_message AS e, todos_sent AS n, todos_received AS r FROM sync_log ORDER BY id DESC LIMIT 6',
                )
                .map((l) => `${ids.indexOf(l.p as DeviceId)}:${l.s}:${l.e}:${l.n}/${l.r}`),
            })),
          ),
        );
      return `seed ${seed}: member ${k} differs from member 0`;
    }
  }
  const ids0 = new Set(snapshot(members[0]!.sql).map((r) => String(r.id)));
  for (const id of live) if (!ids0.has(id)) return `seed ${seed}: todo ${id} was lost`;
  for (const m of members) await m.engine.stop();
  return null;
}

const only = process.env.CIRCLE_SEED;
const SEEDS = only
  ? [Number(only)]
  : Array.from({ length: Number(process.env.CIRCLE_SEEDS ?? 200) }, (_, i) => i + 1);

describe('circle convergence', () => {
  it(
    `members coming and going, lost pushes and relay restarts converge with no click (${SEEDS.length} seeds)`,
    { timeout: 1_200_000 },
    async () => {
      const failures: string[] = [];
      for (const seed of SEEDS) {
        const r = await runCircleConvergence(seed);
        if (r) failures.push(r);
      }
      expect(failures).toEqual([]);
    },
  );
});
