/** Test harness: engines on in-memory SQLite WASM over the in-memory relay. */
import { openMemoryDb } from '../../lib/db/node-memory';
import type { Sql, Row } from '../../lib/db/sql';
import { createTodoWriter } from '../../lib/db/todo-writes';
import { restoredHlc } from '../../lib/db/device';
import { createHybridClock } from '../../lib/model/hlc';
import { newSessionId, type DeviceId } from '../../lib/model/ids';
import { newSessionKey } from '../../lib/crypto/frame-crypto';
import { newIdentity, type DeviceIdentity } from '../../lib/crypto/identity';
import { createSyncEngine } from '../../lib/sync/sync-engine';
import type { SyncEngine, SyncEvent, SyncSession } from '../../lib/sync/engine-types';
import type { MemoryRelay } from '../../lib/sync/memory-transport';
import { createSqliteSyncStorage } from '../../lib/db/sync-storage';
import type { SyncStorage, Timers, Transport } from '../../lib/sync/ports';

export function manualTimers(): Timers & { fireAll(): void; fireUpTo(ms: number): void } {
  const pending = new Map<() => void, number>();
  const fire = (which: (ms: number) => boolean) => {
    const fns = [...pending].filter(([, ms]) => which(ms)).map(([fn]) => fn);
    for (const fn of fns) pending.delete(fn);
    for (const fn of fns) fn();
  };
  return {
    set(fn, ms) {
      pending.set(fn, ms);
      return () => pending.delete(fn);
    },
    fireAll: () => fire(() => true),
    /** Fires the timers set for at most `ms` (a short timer, not the 30 s silence). */
    fireUpTo: (ms) => fire((t) => t <= ms),
  };
}

export function newSession(hostId: DeviceId, expiresAt: number): SyncSession {
  return { sessionId: newSessionId(), sessionKey: newSessionKey(), hostId, expiresAt };
}

export interface Node {
  id: DeviceId;
  sql: Sql;
  engine: SyncEngine;
  writer: ReturnType<typeof createTodoWriter>;
  events: SyncEvent[];
  timers: ReturnType<typeof manualTimers>;
  transport: Transport;
  /** Shifts this device's physical clock. */
  skew: { ms: number };
  identity: DeviceIdentity;
  /** While on, the storage port throws on every call (a full disk, a broken database). */
  fault: { on: boolean };
  /** The engine's last 200 log lines. */
  logs: string[];
}

export async function createNode(opts: {
  id: DeviceId;
  relay: MemoryRelay;
  session: SyncSession;
  time: { now: number };
  name?: string;
  skewMs?: number;
  maxGuests?: number;
  random?: () => number;
  sql?: Sql;
  identity?: DeviceIdentity;
  /** Wraps the storage port: a hostile peer runs an engine over storage that lies. */
  wrapStorage?: (s: SyncStorage) => SyncStorage;
}): Promise<Node> {
  const sql = opts.sql ?? (await openMemoryDb());
  const skew = { ms: opts.skewMs ?? 0 };
  const physicalNow = () => opts.time.now + skew.ms;
  const clock = createHybridClock(opts.id, physicalNow, restoredHlc(sql, opts.id));
  const identity = opts.identity ?? (await newIdentity());
  const fault = { on: false };
  const logs: string[] = [];
  const timers = manualTimers();
  const transport = opts.relay.transport(opts.id);
  const engine = createSyncEngine({
    storage: (opts.wrapStorage ?? ((s) => s))(faulty(createSqliteSyncStorage(sql, physicalNow), fault)),
    transport,
    clock,
    deviceId: opts.id,
    identity,
    deviceName: opts.name ?? `device ${opts.id.slice(0, 4)}`,
    session: opts.session,
    maxGuests: opts.maxGuests,
    physicalNow,
    random: opts.random,
    timers,
    log: (level, message) => {
      logs.push(`${level}: ${message}`);
      if (logs.length > 200) logs.shift();
    },
  });
  const events: SyncEvent[] = [];
  engine.subscribe((e) => events.push(e));
  return {
    id: opts.id,
    sql,
    engine,
    writer: createTodoWriter({ sql, clock, deviceId: opts.id, now: physicalNow }),
    events,
    timers,
    skew,
    transport,
    identity,
    fault,
    logs,
  };
}

/** A storage port that throws while `fault.on`, like SQLite reporting a full disk. */
function faulty(s: SyncStorage, fault: { on: boolean }): SyncStorage {
  const guard =
    <A extends unknown[], R>(f: (...a: A) => R) =>
    (...a: A): R => {
      if (fault.on) throw new Error('SQLITE_FULL: database or disk is full');
      return f(...a);
    };
  return {
    readVector: guard(s.readVector),
    countAbove: guard(s.countAbove),
    pageAbove: guard(s.pageAbove),
    applyRows: guard(s.applyRows),
    beginLog: guard(s.beginLog),
    finishLog: guard(s.finishLog),
    closeInterrupted: guard(s.closeInterrupted),
    rememberPeer: guard(s.rememberPeer),
  };
}

/** Delivers frames (in an order chosen by `pick`) until nothing is in flight. Bounded. */
export async function settle(
  relay: MemoryRelay,
  nodes: Node[],
  pick?: (n: number) => number,
  maxSteps = 20_000,
) {
  for (let i = 0; i < maxSteps; i++) {
    await Promise.all(nodes.map((n) => n.engine.idle()));
    if (!relay.deliverOne(pick)) {
      await Promise.all(nodes.map((n) => n.engine.idle()));
      if (relay.pending() === 0 || !relay.deliverOne(pick)) return;
    }
  }
  const recent = relay.sent
    .slice(-30)
    .map((f) => `${f.from.slice(0, 4)}:${f.type}`)
    .join(' ');
  throw new Error(`settle did not finish; last frames: ${recent}`);
}

/** The synced state of a replica: every field value and stamp, in id order. */
export function snapshot(sql: Sql): Row[] {
  return sql.all(`SELECT id, title, description, completed, priority, due_date, device_id, created_at, deleted,
    title_hlc, description_hlc, completed_hlc, priority_hlc, due_date_hlc, deleted_hlc, version FROM todos ORDER BY id`);
}

export const logRows = (sql: Sql) =>
  sql.all<{
    status: string;
    todos_sent: number;
    todos_received: number;
    error_message: string | null;
    remote_device_id: string;
  }>('SELECT status, todos_sent, todos_received, error_message, remote_device_id FROM sync_log ORDER BY id');
