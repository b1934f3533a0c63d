/**
 * The circle wiring inside the DB worker: keeps one circle engine running for as long as this device
 * has a circle, pushes local changes to it, answers `circle.status`, broadcasts `circle.state`, and
 * takes part in pairing (the host adds the guest to its circle; the guest takes the circle it is
 * handed). No chrome.* here: the same worker serves Chrome, Firefox and the phone app.
 */
import { circleRoom, newCircleSecret } from '../circle/circle-keys';
import { addMember, adoptCircle } from '../circle/membership';
import { foundCircle, type Circle } from '../circle/roster';
import type { DeviceIdentity } from '../crypto/identity';
import {
  forgetCircle,
  loadCircle,
  loadDeviceName,
  readSeen,
  saveCircle,
  saveDeviceName,
  writeSeen,
  type StoredCircle,
} from '../db/circle-store';
import { markDeviceIdShadowed } from '../db/device';
import type { Sql } from '../db/sql';
import { createSqliteSyncStorage } from '../db/sync-storage';
import type { CircleMember, CircleState } from '../messages/circle-schema';
import type { WorkerEvent } from '../messages/events';
import type { HybridClock, Hlc } from '../model/hlc';
import type { DeviceId, SessionId } from '../model/ids';
import { DEVICE_NAME_MAX, type PayloadOf } from '../protocol/messages';
import { createCircleEngine, type CircleEngine, type CircleEngineOptions } from './circle-engine';
import type { PairingCircle } from './engine-types';
import type { Transport } from './ports';

export interface WorkerCircleDeps {
  sql: Sql;
  clock: HybridClock;
  deviceId: DeviceId;
  identity: DeviceIdentity;
  deviceName: string;
  emit: (e: WorkerEvent) => void;
  openTransport: (o: {
    relayOrigin: string;
    sessionId: SessionId;
    deviceId: DeviceId;
    party: 'relay' | 'circle';
  }) => Transport;
  now?: () => number;
  engine?: Pick<CircleEngineOptions, 'timers' | 'silenceTimeoutMs' | 'log' | 'pushDelayMs'>;
  /** An open list refreshes at most this often while rows stream in. */
  changeIntervalMs?: number;
}

const log = (level: 'debug' | 'warn' | 'error', message: string) => {
  if (level !== 'debug') console[level](`[circle] ${message}`);
};

export function createWorkerCircle(deps: WorkerCircleDeps) {
  const { sql, deviceId, emit } = deps;
  const now = deps.now ?? Date.now;
  const storage = createSqliteSyncStorage(sql, now);
  const changeIntervalMs = deps.changeIntervalMs ?? 300;
  const self = { id: deviceId, identity: deps.identity };
  let deviceName = loadDeviceName(sql) ?? deps.deviceName;

  let stored: StoredCircle | null = null;
  try {
    stored = loadCircle(sql);
  } catch (e) {
    // A damaged record must not keep the list from opening: the device is alone until paired again.
    log('error', e instanceof Error ? e.message : String(e));
  }
  let engine: CircleEngine | null = null;
  const seen = readSeen(sql);
  const names = new Map<DeviceId, string>();
  const syncing = new Set<DeviceId>();
  let announcedAt = -Infinity;
  let announced = 0;
  /** Engines replaced by a newer one: their last events are ignored. */
  let generation = 0;

  function maxVersion(): Hlc | null {
    let max: Hlc | null = null;
    for (const v of storage.readVector().values()) if (!max || v > max) max = v;
    return max;
  }

  function state(): CircleState {
    if (!stored) return { state: 'none' };
    const online = new Set(engine?.online() ?? []);
    const members: CircleMember[] = stored.circle.members.map((m) => {
      const isSelf = m.id === deviceId;
      const s = seen.get(m.id);
      return {
        id: m.id,
        name: isSelf ? deviceName : (names.get(m.id) ?? m.name),
        self: isSelf,
        online: isSelf || online.has(m.id),
        syncing: syncing.has(m.id),
        lastSync: s?.at ?? null,
        pending: isSelf ? 0 : storage.countAbove((s?.version ?? '') as Hlc),
        addedAt: m.addedAt,
      };
    });
    return { state: 'on', connected: engine?.connected ?? false, members };
  }
  const publish = () => emit({ kind: 'circle.state', state: state() });

  function save(circle: Circle) {
    if (!stored) return;
    stored = { ...stored, circle };
    saveCircle(sql, stored);
  }

  /** The running engine is this circle's (not the one a deferred move is leaving). */
  const engineRuns = (c: Circle) =>
    engine !== null &&
    engine.circle.id === c.id &&
    engine.circle.secret === c.secret &&
    engine.circle.epoch === c.epoch;

  /** The latest start of the engine, for tests to wait on. */
  let lastRun: Promise<void> = Promise.resolve();
  function run(): Promise<void> {
    lastRun = startEngine();
    return lastRun;
  }

  async function startEngine() {
    const gen = ++generation;
    const old = engine;
    engine = null;
    if (old) await old.stop();
    if (!stored) return publish();
    const { circle, relayOrigin } = stored;
    const room = await circleRoom(circle);
    if (gen !== generation) return;
    const e = createCircleEngine({
      ...deps.engine,
      log: deps.engine?.log ?? log,
      storage,
      transport: deps.openTransport({
        relayOrigin,
        sessionId: room.roomId as SessionId,
        deviceId,
        party: 'circle',
      }),
      clock: deps.clock,
      deviceId,
      identity: deps.identity,
      deviceName,
      circle,
      room,
      physicalNow: now,
    });
    engine = e;
    e.subscribe((ev) => {
      if (gen !== generation) return;
      switch (ev.type) {
        case 'presence':
          if (ev.name) names.set(ev.peerId, ev.name);
          if (!ev.online) syncing.delete(ev.peerId);
          return publish();
        case 'roster':
          save(ev.circle);
          return publish();
        case 'circle-offer':
          return void onOffer(ev.from, ev.payload);
        case 'syncing':
          if (!syncing.has(ev.peerId)) {
            syncing.add(ev.peerId);
            publish();
          }
          if (ev.received > announced && now() - announcedAt >= changeIntervalMs) {
            announced = ev.received;
            announcedAt = now();
            emit({ kind: 'todos.changed', ids: [], op: 'bulk' });
          }
          return;
        case 'done':
          syncing.delete(ev.peerId);
          announced = 0;
          if (ev.received > 0) emit({ kind: 'todos.changed', ids: [], op: 'bulk' });
          if (ev.status === 'success') {
            const version = maxVersion();
            if (version) seen.set(ev.peerId, { version, at: now() });
            else seen.set(ev.peerId, { version: '' as Hlc, at: now() });
            writeSeen(sql, seen);
          }
          return publish();
        case 'connecting':
        case 'waiting':
          return publish();
        case 'self-shadowed':
          return markDeviceIdShadowed(sql);
        default:
          return;
      }
    });
    await e.start();
    publish();
  }

  /** Takes a circle a member handed us; moves rooms if it is another circle. */
  async function onOffer(from: DeviceId, payload: PayloadOf<'CIRCLE'>, relayOrigin?: string) {
    const offered = payload.circle as Circle;
    const r = await adoptCircle({ current: stored?.circle ?? null, offered, from, self, now: now() });
    if (r.kind === 'refused') return log('warn', `circle from ${from} refused: ${r.why}`);
    if (r.kind === 'same') {
      save(r.circle);
      if (engineRuns(r.circle)) engine?.adopt(r.circle);
      else if (!deferred) await run();
      return publish();
    }
    // Tell the members of the circle we leave where we all go now, while we are still in its room.
    const leaving = engine;
    stored = { circle: r.circle, relayOrigin: relayOrigin ?? stored?.relayOrigin ?? '' };
    if (!stored.relayOrigin) return log('error', 'no relay for the new circle');
    saveCircle(sql, stored);
    if (leaving && r.previous) {
      await leaving.offer({ circle: r.circle });
      await leaving.idle();
    }
    // Handed over in a pairing: the circle starts once that pairing's round is over, so the two do
    // not stream the same rows side by side (and a pairing keeps its own progress and outcome).
    if (relayOrigin !== undefined && pairingRunning) {
      deferred = true;
      return;
    }
    await run();
  }
  /** A pairing session runs; a circle it handed us waits for it (`pairingEnded`). */
  let pairingRunning = false;
  let deferred = false;

  const pairing = (relayOrigin: string): PairingCircle => ({
    async offerTo(guest) {
      let circle = stored?.circle ?? null;
      const founded = !circle;
      circle ??= await foundCircle({
        self: deviceId,
        identity: deps.identity,
        name: deviceName,
        now: now(),
        secret: newCircleSecret(),
        circleId: crypto.randomUUID(),
      });
      const next = await addMember(circle, self, guest, now());
      if ('error' in next) {
        log('warn', `cannot add ${guest.id}: ${next.error}`);
        return null;
      }
      if (founded || !stored) {
        stored = { circle: next, relayOrigin };
        saveCircle(sql, stored);
        await run();
      } else if (next !== circle) {
        save(next);
        if (engineRuns(next)) engine?.adopt(next);
        else if (!deferred) await run();
      }
      names.set(guest.id, guest.name);
      return { circle: next };
    },
    onOffer: (from, payload) => onOffer(from, payload, relayOrigin),
  });

  return {
    /** Starts the circle's engine if this device has one (at worker start). */
    start: () => run(),
    /** Settles once the latest engine start has finished (tests). */
    started: () => lastRun,
    /** A local write committed: sync it to the members online. */
    localChanged() {
      if (!engine) return;
      engine.push();
      publish();
    },
    /** A pairing session starts: hand it the circle hooks. */
    pairing(relayOrigin: string): PairingCircle {
      pairingRunning = true;
      return pairing(relayOrigin);
    },
    /** The pairing session's round ended (any outcome) or the session stopped. */
    pairingEnded() {
      pairingRunning = false;
      if (!deferred) return;
      deferred = false;
      void run();
    },
    status: () => state(),
    /** This device's name now (pairings and the circle's JOINs carry it). */
    get name() {
      return deviceName;
    },
    /** Renames this device; members online learn it from a new JOIN at once. */
    rename(name: string): string | null {
      const clean = name.replace(/\s+/g, ' ').trim();
      if (!clean) return 'A device name cannot be empty.';
      if (clean.length > DEVICE_NAME_MAX) return `A device name has at most ${DEVICE_NAME_MAX} characters.`;
      deviceName = clean;
      saveDeviceName(sql, clean);
      if (stored) void run();
      else publish();
      return null;
    },
    /** "Sync now": a round with every member online. */
    syncNow() {
      engine?.syncNow();
    },
    /** Stops syncing and forgets the circle; the list stays. */
    async leave() {
      forgetCircle(sql);
      stored = null;
      seen.clear();
      await run();
    },
    get engine() {
      return engine;
    },
  };
}
export type WorkerCircle = ReturnType<typeof createWorkerCircle>;
