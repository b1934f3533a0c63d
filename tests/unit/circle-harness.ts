/**
 * A harness for circles through the DB worker's wiring (worker-sync + worker-circle) on in-memory SQLite, with one
 * in-memory relay per room: pairing sessions and circle rooms are different rooms, as on the relay.
 */
import { newIdentity, type DeviceIdentity } from '../../lib/crypto/identity';
import { openMemoryDb } from '../../lib/db/node-memory';
import { createRequestHandler } from '../../lib/db/request-handler';
import type { Sql } from '../../lib/db/sql';
import { createTodoWriter } from '../../lib/db/todo-writes';
import type { CircleState } from '../../lib/messages/circle-schema';
import type { WorkerEvent } from '../../lib/messages/events';
import type { Request, Response } from '../../lib/messages/requests';
import { createHybridClock } from '../../lib/model/hlc';
import { newDeviceId, type DeviceId } from '../../lib/model/ids';
import { createMemoryRelay, type MemoryRelay } from '../../lib/sync/memory-transport';
import type { Transport } from '../../lib/sync/ports';
import { createWorkerSync, type WorkerSync } from '../../lib/sync/worker-sync';
import { manualTimers } from './sync-harness';

export const RELAY = 'http://127.0.0.1:8787';
/** The clock the circle tests start at. */
export const T0 = 1_800_000_000_000;

/** Every room of the relay: `party/room` → an in-memory relay of its own. */
export class Rooms {
  readonly rooms = new Map<string, MemoryRelay>();
  /** Devices with no network: their sockets do not open until `reconnect` (see `cutOff`). */
  readonly offline = new Set<DeviceId>();
  private readonly waiting = new Map<DeviceId, (() => void)[]>();
  /** A transport whose connect() waits while its device is offline. */
  transport(party: string, id: string, deviceId: DeviceId): Transport {
    const t = this.room(party, id).transport(deviceId);
    return {
      ...t,
      get isOpen() {
        return t.isOpen;
      },
      send: (f) => t.send(f),
      onMessage: (cb) => t.onMessage(cb),
      onOpen: (cb) => t.onOpen(cb),
      onClose: (cb) => t.onClose(cb),
      close: () => t.close(),
      connect: () => {
        if (!this.offline.has(deviceId)) return t.connect();
        const list = this.waiting.get(deviceId) ?? [];
        list.push(() => t.connect());
        this.waiting.set(deviceId, list);
      },
    };
  }
  /** The device's network is back: sockets that waited open. */
  reconnect(deviceId: DeviceId) {
    this.offline.delete(deviceId);
    for (const f of this.waiting.get(deviceId) ?? []) f();
    this.waiting.delete(deviceId);
  }
  room(party: string, id: string): MemoryRelay {
    const key = `${party}/${id}`;
    let r = this.rooms.get(key);
    if (!r) this.rooms.set(key, (r = createMemoryRelay()));
    return r;
  }
}

export interface Device {
  id: DeviceId;
  sql: Sql;
  sync: WorkerSync;
  events: WorkerEvent[];
  timers: ReturnType<typeof manualTimers>;
  identity: DeviceIdentity;
  send(req: Request): Response;
  titles(): string[];
  circle(): CircleState;
}

export async function device(rooms: Rooms, time: { now: number }, name: string): Promise<Device> {
  const sql = await openMemoryDb();
  const id = newDeviceId();
  const now = () => time.now;
  const clock = createHybridClock(id, now);
  const events: WorkerEvent[] = [];
  /** The circle's push delay; its silence timeout is off, the pairing engine's timers never fire. */
  const timers = manualTimers();
  const identity = await newIdentity();
  let sync: WorkerSync | null = null;
  const emit = (e: WorkerEvent) => events.push(e);
  // As lib/db/db-worker.ts: a local write is pushed to the circle.
  const emitLocal = (e: WorkerEvent) => {
    emit(e);
    if (e.kind === 'todos.changed') sync?.localChanged();
  };
  sync = createWorkerSync({
    sql,
    clock,
    deviceId: id,
    identity,
    deviceName: name,
    defaultRelayUrl: RELAY,
    emit,
    now,
    openTransport: ({ deviceId, party, sessionId }) => rooms.transport(party, sessionId, deviceId),
    engine: { timers: manualTimers() },
    circleEngine: { timers, silenceTimeoutMs: 0 },
  });
  await sync.startCircle();
  const handler = createRequestHandler({
    sql,
    writer: createTodoWriter({ sql, clock, deviceId: id, now }),
    deviceId: id,
    schemaVersion: 1,
    openMs: 0,
    devTools: false,
    emit: emitLocal,
    sync,
  });
  const send = (req: Request) => handler.handle(req);
  return {
    id,
    sql,
    sync,
    events,
    timers,
    identity,
    send,
    titles: () =>
      sql
        .all<{ title: string }>('SELECT title FROM todos WHERE deleted = 0 ORDER BY title')
        .map((r) => r.title),
    circle: () => data<CircleState>(send({ kind: 'circle.status' })),
  };
}

export const data = <T>(r: Response): T => {
  if (!r.ok) throw new Error(r.error.message);
  return r.data as T;
};

/** Delivers frames in every room and fires push timers until nothing moves. Bounded. */
export async function settle(
  rooms: Rooms,
  devices: Device[],
  others: { idle(): Promise<void> }[] = [],
  /** Which link delivers next (seeded tests); the first by default. */
  pick?: (n: number) => number,
) {
  const idle = () =>
    Promise.all([
      ...devices.flatMap((d) => [
        d.sync.started(),
        d.sync.engine?.idle(),
        d.sync.circle.started(),
        d.sync.circle.engine?.idle(),
        ...d.sync.circle.heralds.map((h) => h.idle()),
      ]),
      ...others.map((o) => o.idle()),
    ]);
  for (let i = 0; i < 20_000; i++) {
    await idle();
    for (const d of devices) d.timers.fireAll();
    await idle();
    let moved = false;
    for (const r of rooms.rooms.values()) if (r.deliverOne(pick)) moved = true;
    if (!moved) {
      await idle();
      if ([...rooms.rooms.values()].every((r) => r.pending() === 0)) return;
    }
  }
  throw new Error('frames kept flowing');
}

export async function pair(rooms: Rooms, host: Device, guest: Device, all: Device[]) {
  const { link } = data<{ link: string }>(host.send({ kind: 'sync.pair' }));
  data(guest.send({ kind: 'sync.join', link }));
  await settle(rooms, all);
  // The pairing session ends; what follows is the circle's doing.
  host.send({ kind: 'sync.cancel' });
  guest.send({ kind: 'sync.cancel' });
  await settle(rooms, all);
}

/**
 * One device a name, in one circle: the first pairs each of the others in turn. With `time` left out, all of them
 * read one clock starting at T0.
 */
export async function circleOf<const N extends readonly string[]>(
  names: N,
  rooms = new Rooms(),
  time = { now: T0 },
) {
  const devices: Device[] = [];
  for (const n of names) devices.push(await device(rooms, time, n));
  const [host, ...guests] = devices;
  for (const g of guests) await pair(rooms, host!, g, devices);
  return { rooms, time, devices: devices as { -readonly [K in keyof N]: Device } };
}

/** The device's circle socket drops (browser closed, network gone) or comes back. */
export function goOffline(rooms: Rooms, d: Device) {
  for (const r of rooms.rooms.values()) r.disconnect(d.id);
}

/** The device has no network at all (its new sockets wait too) until `rooms.reconnect`. */
export function cutOff(rooms: Rooms, d: Device) {
  rooms.offline.add(d.id);
  goOffline(rooms, d);
}

export const memberNames = (d: Device) => {
  const s = d.circle();
  return s.state === 'on' ? s.members.map((m) => m.name).sort() : [];
};
