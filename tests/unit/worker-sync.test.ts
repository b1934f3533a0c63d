import { describe, expect, it } from 'vitest';
import { newIdentity } from '../../lib/crypto/identity';
import { openMemoryDb } from '../../lib/db/node-memory';
import { createRequestHandler } from '../../lib/db/request-handler';
import type { Sql } from '../../lib/db/sql';
import { createTodoWriter } from '../../lib/db/todo-writes';
import type { WorkerEvent } from '../../lib/messages/events';
import type { Request, Response } from '../../lib/messages/requests';
import type { SyncState } from '../../lib/messages/sync-schema';
import { createHybridClock } from '../../lib/model/hlc';
import { newDeviceId, type DeviceId } from '../../lib/model/ids';
import { createPairingLink } from '../../lib/pairing/pairing-link';
import { createMemoryRelay, type MemoryRelay } from '../../lib/sync/memory-transport';
import { createWorkerSync, type WorkerSync } from '../../lib/sync/worker-sync';
import { LINGER_MS } from '../../lib/sync/rounds';
import { manualTimers } from './sync-harness';

const RELAY = 'http://127.0.0.1:8787';

interface Device {
  id: DeviceId;
  sql: Sql;
  sync: WorkerSync;
  events: WorkerEvent[];
  timers: ReturnType<typeof manualTimers>;
  send(req: Request): Response;
  titles(): string[];
}

async function device(relay: MemoryRelay, time: { now: number }, sql?: Sql): Promise<Device> {
  const db = sql ?? (await openMemoryDb());
  const id = newDeviceId();
  const now = () => time.now;
  const clock = createHybridClock(id, now);
  const events: WorkerEvent[] = [];
  const emit = (e: WorkerEvent) => events.push(e);
  const timers = manualTimers();
  const sync = createWorkerSync({
    sql: db,
    clock,
    deviceId: id,
    identity: await newIdentity(),
    deviceName: `device ${id.slice(0, 4)}`,
    defaultRelayUrl: RELAY,
    emit,
    now,
    // Pairing sessions meet on `relay`; the circle rooms pairing makes are not exercised here.
    openTransport: ({ deviceId, party }) =>
      party === 'relay' ? relay.transport(deviceId) : createMemoryRelay().transport(deviceId),
    engine: { timers },
  });
  const handler = createRequestHandler({
    sql: db,
    writer: createTodoWriter({ sql: db, clock, deviceId: id, now }),
    deviceId: id,
    schemaVersion: 1,
    openMs: 0,
    devTools: false,
    emit,
    sync,
  });
  return {
    id,
    sql: db,
    sync,
    events,
    timers,
    send: (req) => handler.handle(req),
    titles: () =>
      db
        .all<{ title: string; completed: number }>(
          'SELECT title, completed FROM todos WHERE deleted = 0 ORDER BY title',
        )
        .map((r) => `${r.title}${r.completed ? ' ✓' : ''}`),
  };
}

/** Delivers frames until nothing is in flight. Bounded. */
async function settle(relay: MemoryRelay, devices: Device[]) {
  await Promise.all(devices.map((d) => d.sync.started()));
  for (let i = 0; i < 10_000; i++) {
    await Promise.all(devices.map((d) => d.sync.engine?.idle()));
    if (!relay.deliverOne()) {
      await Promise.all(devices.map((d) => d.sync.engine?.idle()));
      if (relay.pending() === 0) return;
    }
  }
  throw new Error('frames kept flowing');
}

const states = (d: Device): SyncState[] =>
  d.events.flatMap((e) => (e.kind === 'sync.state' ? [e.state] : []));
const last = (d: Device) => states(d).at(-1);
const data = <T>(r: Response): T => {
  if (!r.ok) throw new Error(r.error.message);
  return r.data as T;
};

/**
 * A holds 1,500 todos with long titles (a stream of several batches, TARGET_BATCH_BYTES each before
 * compression) and B has joined its link; no frame is delivered yet and time stands still.
 */
async function longStream() {
  const relay = createMemoryRelay();
  const time = { now: 1_800_000_000_000 };
  const a = await device(relay, time);
  const b = await device(relay, time);
  for (let i = 0; i < 1_500; i++)
    a.send({ kind: 'todos.create', input: { title: `Todo ${i} ${'x'.repeat(300)}` } });
  const link = data<{ link: string }>(a.send({ kind: 'sync.pair' })).link;
  data(b.send({ kind: 'sync.join', link }));
  await Promise.all([a.sync.started(), b.sync.started()]);
  return { relay, a, b };
}

describe('worker sync', () => {
  it('pairs through a link and converges new todos, edits, completions and deletions both ways', async () => {
    const relay = createMemoryRelay();
    const time = { now: 1_800_000_000_000 };
    const a = await device(relay, time);
    const b = await device(relay, time);
    const shared = data<{ id: string }>(a.send({ kind: 'todos.create', input: { title: 'Shared' } }));
    const gone = data<{ id: string }>(a.send({ kind: 'todos.create', input: { title: 'Gone' } }));
    // B first gets both, then both sides edit before the next session.
    const link1 = data<{ link: string }>(a.send({ kind: 'sync.pair' })).link;
    data(b.send({ kind: 'sync.join', link: link1 }));
    await settle(relay, [a, b]);
    expect(b.titles()).toEqual(['Gone', 'Shared']);

    time.now += 60_000;
    a.send({ kind: 'todos.update', id: shared.id as never, patch: { completed: true } });
    a.send({ kind: 'todos.create', input: { title: 'From A' } });
    b.send({ kind: 'todos.remove', id: gone.id as never });
    b.send({ kind: 'todos.create', input: { title: 'From B' } });
    a.events.length = 0;
    b.events.length = 0;

    const link2 = data<{ link: string }>(a.send({ kind: 'sync.pair' })).link;
    data(b.send({ kind: 'sync.join', link: link2 }));
    await settle(relay, [a, b]);

    expect(a.titles()).toEqual(['From A', 'From B', 'Shared ✓']);
    expect(b.titles()).toEqual(a.titles());
    for (const d of [a, b]) {
      expect(last(d)).toMatchObject({ phase: 'done', status: 'success', received: expect.any(Number) });
      expect(states(d).map((s) => s.phase)).toContain('syncing');
      expect(d.events).toContainEqual({ kind: 'todos.changed', ids: [], op: 'bulk' });
    }
    expect(last(a)).toMatchObject({ role: 'host', name: `device ${b.id.slice(0, 4)}` });
    expect(last(b)).toMatchObject({ role: 'guest', name: `device ${a.id.slice(0, 4)}` });

    const history = data<{ status: string; peerId: string }[]>(a.send({ kind: 'sync.history', limit: 10 }));
    expect(history.map((h) => [h.status, h.peerId])).toEqual([
      ['success', b.id],
      ['success', b.id],
    ]);
  });

  it('publishes progress at most once per interval however many batches arrive, and answers the latest', async () => {
    const { relay, a, b } = await longStream();
    let answered: SyncState | undefined;
    for (let i = 0; i < 10_000 && b.titles().length < 1_500; i++) {
      await Promise.all([a, b].map((d) => d.sync.engine?.idle()));
      if (!relay.deliverOne() && relay.pending() === 0) break;
      const now = data<SyncState>(b.send({ kind: 'sync.status' }));
      if (now.phase === 'syncing') answered = now;
    }
    await settle(relay, [a, b]);
    expect(b.titles()).toHaveLength(1_500);
    // Time stood still: one progress state went out on each side, the rest waited and `done` replaced them.
    for (const d of [a, b]) expect(states(d).filter((s) => s.phase === 'syncing')).toHaveLength(1);
    // Asked directly, the worker said how far the sync was, past that first state.
    const first = states(b).find((s) => s.phase === 'syncing');
    expect(answered).toMatchObject({ phase: 'syncing' });
    expect((answered as { received: number }).received).toBeGreaterThan(
      (first as { received: number }).received,
    );
    expect(last(b)).toMatchObject({ phase: 'done', received: 1_500 });
  });

  it('tells open lists of rows written mid-stream at most once per interval, the last write late, not never', async () => {
    const { relay, a, b } = await longStream();
    const changes = () => b.events.filter((e) => e.kind === 'todos.changed').length;
    /** Delivers frames until B holds more rows than before, then lets the stream pause (LINGER_MS). */
    const untilWritten = async () => {
      const before = b.titles().length;
      for (let i = 0; i < 10_000; i++) {
        await Promise.all([a, b].map((d) => d.sync.engine?.idle()));
        b.timers.fireUpTo(LINGER_MS);
        await b.sync.engine?.idle();
        if (b.titles().length > before) return;
        if (!relay.deliverOne()) throw new Error('the stream ended before a write');
      }
    };
    await untilWritten();
    expect(changes()).toBe(1);
    await untilWritten();
    // Within the interval: the second write waits for it.
    expect(changes()).toBe(1);
    b.timers.fireUpTo(1_000);
    expect(changes()).toBe(2);
    await settle(relay, [a, b]);
    expect(b.titles()).toHaveLength(1_500);
    expect(changes()).toBe(3);
  });

  it('a sync cancelled mid-stream keeps the rows that arrived and tells open lists of them', async () => {
    const { relay, a, b } = await longStream();
    // Some batches in: staged, not yet written (the stream has neither paused nor ended).
    for (let i = 0; i < 10_000; i++) {
      await Promise.all([a, b].map((d) => d.sync.engine?.idle()));
      const now = data<SyncState>(b.send({ kind: 'sync.status' }));
      if (now.phase === 'syncing' && now.received >= 500) break;
      if (!relay.deliverOne()) throw new Error('the stream ended before 500 rows arrived');
    }
    expect(b.titles()).toHaveLength(0);
    const engine = b.sync.engine!;
    b.events.length = 0;
    data(b.send({ kind: 'sync.cancel' }));
    await engine.idle();
    for (let i = 0; i < 100 && b.titles().length === 0; i++) await new Promise((r) => setTimeout(r, 0));
    expect(b.titles().length).toBeGreaterThan(0);
    expect(b.events).toContainEqual({ kind: 'todos.changed', ids: [], op: 'bulk' });
  });

  it('keeps showing a finished sync when the relay drops the idle session afterwards', async () => {
    const relay = createMemoryRelay();
    const time = { now: 1_800_000_000_000 };
    const [a, b] = await Promise.all([device(relay, time), device(relay, time)]);
    a.send({ kind: 'todos.create', input: { title: 'One' } });
    const { link } = data<{ link: string }>(a.send({ kind: 'sync.pair' }));
    b.send({ kind: 'sync.join', link });
    await settle(relay, [a, b]);
    expect(last(b)).toMatchObject({ phase: 'done', status: 'success', received: 1 });
    relay.disconnect(b.id);
    await settle(relay, [a, b]);
    expect(data(b.send({ kind: 'sync.status' }))).toMatchObject({ phase: 'done', received: 1 });
    expect(data(a.send({ kind: 'sync.status' }))).toMatchObject({ phase: 'done', sent: 1 });
  });

  it('refuses a second device joining with a used link', async () => {
    const relay = createMemoryRelay();
    const time = { now: 1_800_000_000_000 };
    const [a, b, c] = await Promise.all([device(relay, time), device(relay, time), device(relay, time)]);
    const { link } = data<{ link: string }>(a.send({ kind: 'sync.pair' }));
    b.send({ kind: 'sync.join', link });
    await settle(relay, [a, b]);
    c.send({ kind: 'sync.join', link });
    await settle(relay, [a, b, c]);
    expect(last(c)).toMatchObject({ phase: 'error', code: 'link-used' });
    expect(last(c)).toHaveProperty('message', expect.stringMatching(/already used/));
  });

  it('admits as many devices as the link allows, lists each of them and converges all', async () => {
    const relay = createMemoryRelay();
    const time = { now: 1_800_000_000_000 };
    const [a, b, c, d] = await Promise.all([
      device(relay, time),
      device(relay, time),
      device(relay, time),
      device(relay, time),
    ]);
    for (const [dev, title] of [
      [a, 'From A'],
      [b, 'From B'],
      [c, 'From C'],
    ] as const)
      dev.send({ kind: 'todos.create', input: { title } });
    const { link } = data<{ link: string }>(a.send({ kind: 'sync.pair', maxGuests: 2 }));
    b.send({ kind: 'sync.join', link });
    await settle(relay, [a, b]);
    c.send({ kind: 'sync.join', link });
    await settle(relay, [a, b, c]);

    for (const dev of [a, b, c]) expect(dev.titles()).toEqual(['From A', 'From B', 'From C']);
    const name = (dev: Device) => `device ${dev.id.slice(0, 4)}`;
    const synced = (dev: Device) => ({ id: dev.id, name: name(dev), status: 'success', progress: 1 });
    expect(data(a.send({ kind: 'sync.status' }))).toMatchObject({
      phase: 'done',
      role: 'host',
      devices: [synced(b), synced(c)],
    });
    expect(data<{ devices: unknown[] }>(b.send({ kind: 'sync.status' })).devices).toEqual(
      expect.arrayContaining([synced(a), synced(c)]),
    );

    d.send({ kind: 'sync.join', link });
    await settle(relay, [a, b, c, d]);
    expect(last(d)).toMatchObject({ phase: 'error', code: 'link-used' });
    expect(data<{ devices: unknown[] }>(a.send({ kind: 'sync.status' })).devices).toHaveLength(2);
  });

  it('answers malformed, expired and own links with a plain message and starts nothing', async () => {
    const relay = createMemoryRelay();
    const time = { now: 1_800_000_000_000 };
    const a = await device(relay, time);
    const bad = a.send({ kind: 'sync.join', link: 'https://example.com/not-a-link' });
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'invalid', message: expect.stringMatching(/isn't a pairing link/) },
    });
    const old = createPairingLink({ relayOrigin: RELAY, hostId: newDeviceId(), now: time.now - 6 * 60_000 });
    expect(a.send({ kind: 'sync.join', link: old.url })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/expired/) },
    });
    const own = data<{ link: string }>(a.send({ kind: 'sync.pair' })).link;
    expect(a.send({ kind: 'sync.join', link: own })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/made on this device/) },
    });
  });

  it('returns to idle on cancel and ignores the cancelled session from then on', async () => {
    const relay = createMemoryRelay();
    const time = { now: 1_800_000_000_000 };
    const [a, b] = await Promise.all([device(relay, time), device(relay, time)]);
    const { link } = data<{ link: string }>(a.send({ kind: 'sync.pair' }));
    expect(data(a.send({ kind: 'sync.status' }))).toMatchObject({ phase: 'connecting', role: 'host' });
    await a.sync.started();
    await a.sync.engine?.idle();
    expect(data(a.send({ kind: 'sync.status' }))).toMatchObject({ phase: 'waiting', role: 'host' });
    a.send({ kind: 'sync.cancel' });
    b.send({ kind: 'sync.join', link });
    await settle(relay, [a, b]);
    expect(data(a.send({ kind: 'sync.status' }))).toEqual({ phase: 'idle' });
    expect(states(a).at(-1)).toEqual({ phase: 'idle' });
    expect(states(b).map((s) => s.phase)).not.toContain('done');
  });

  it('keeps a relay address set in settings and refuses one that is not http(s)', async () => {
    const relay = createMemoryRelay();
    const a = await device(relay, { now: 1_800_000_000_000 });
    expect(data(a.send({ kind: 'settings.get' }))).toEqual({ relayUrl: RELAY, defaultRelayUrl: RELAY });
    expect(data(a.send({ kind: 'settings.set', relayUrl: ' https://relay.example.org/some/path ' }))).toEqual(
      {
        relayUrl: 'https://relay.example.org',
        defaultRelayUrl: RELAY,
      },
    );
    expect(a.send({ kind: 'settings.set', relayUrl: 'ftp://relay.example.org' })).toMatchObject({
      ok: false,
    });
    const { link } = data<{ link: string }>(a.send({ kind: 'sync.pair' }));
    expect(link.startsWith('https://relay.example.org/p#')).toBe(true);
  });

  it('answers sync requests with bad_request where sync is not wired', async () => {
    const sql = await openMemoryDb();
    const id = newDeviceId();
    const clock = createHybridClock(id);
    const handler = createRequestHandler({
      sql,
      writer: createTodoWriter({ sql, clock, deviceId: id }),
      deviceId: id,
      schemaVersion: 1,
      openMs: 0,
      devTools: false,
      emit: () => {},
    });
    expect(handler.handle({ kind: 'sync.pair' })).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
    expect(handler.handle({ kind: 'settings.get' })).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
  });

  it('marks a sync that a restart cut off as partial', async () => {
    const relay = createMemoryRelay();
    const time = { now: 1_800_000_000_000 };
    const a = await device(relay, time);
    const b = await device(relay, time);
    const { link } = data<{ link: string }>(a.send({ kind: 'sync.pair' }));
    b.send({ kind: 'sync.join', link });
    // Deliver frames one at a time only until A has opened a round (sync_log 'running'); the worker
    // then "restarts" before the round can finish.
    await Promise.all([a.sync.started(), b.sync.started()]);
    const running = () => a.sql.get<{ status: string }>('SELECT status FROM sync_log')?.status;
    for (let i = 0; i < 10 && running() === undefined; i++) {
      await Promise.all([a.sync.engine?.idle(), b.sync.engine?.idle()]);
      relay.deliverOne();
      await Promise.all([a.sync.engine?.idle(), b.sync.engine?.idle()]);
    }
    expect(running()).toBe('running');
    const restarted = await device(createMemoryRelay(), time, a.sql);
    const [entry] = data<{ status: string; reason: string }[]>(
      restarted.send({ kind: 'sync.history', limit: 5 }),
    );
    expect(entry).toMatchObject({ status: 'partial', reason: expect.stringMatching(/interrupted/) });
  });
});
