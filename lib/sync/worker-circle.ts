/**
 * The circle wiring inside the DB worker: keeps one circle engine running for as long as this device
 * has a circle, pushes local changes to it, answers `circle.status`, broadcasts `circle.state`, and
 * takes part in pairing (the host adds the guest to its circle; the guest takes the circle it is
 * handed). No chrome.* here: the same worker serves Chrome, Firefox and the phone app.
 */
import { circleRoom, newCircleSecret } from '../circle/circle-keys';
import { addMember, adoptCircle } from '../circle/membership';
import { foundCircle, type Circle } from '../circle/roster';
import {
  EPOCH_GRACE_MS,
  MAX_OLD_ROOMS,
  judgeEpoch,
  missingRemovals,
  nextEpoch,
  wrapSecret,
  type Removal,
} from '../circle/epoch';
import type { DeviceIdentity, PublicIdentity } from '../crypto/identity';
import {
  forgetCircle,
  loadCircle,
  loadDeviceName,
  loadOldRooms,
  loadRemovedNotice,
  saveOldRooms,
  saveRemovedNotice,
  type OldRoom,
  readSeen,
  saveCircle,
  saveDeviceName,
  writeSeen,
  type StoredCircle,
} from '../db/circle-store';
import { markDeviceIdShadowed } from '../db/device';
import { getKv, setKv } from '../db/kv';
import type { Sql } from '../db/sql';
import { purgeDaily, writeMemberVector } from '../db/tombstone-purge';
import { createSqliteSyncStorage } from '../db/sync-storage';
import type { CircleMember, CircleState } from '../messages/circle-schema';
import type { WorkerEvent } from '../messages/events';
import type { HybridClock, Hlc } from '../model/hlc';
import type { DeviceId, SessionId } from '../model/ids';
import { DEVICE_NAME_MAX, type PayloadOf } from '../protocol/messages';
import { createCircleEngine, type CircleEngine, type CircleEngineOptions } from './circle-engine';
import type { PairingCircle } from './engine-types';
import { realTimers, type Transport, type VersionVector } from './ports';
import { createListChanged } from './progress-throttle';
import type { DeviceKind } from './device-label';

export interface WorkerCircleDeps {
  sql: Sql;
  clock: HybridClock;
  deviceId: DeviceId;
  identity: DeviceIdentity;
  deviceName: string;
  deviceKind?: DeviceKind;
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

const AUTO_KEY = 'circle.auto';
/** With manual sync, a "Sync now" session ends this long after every member online has synced. */
const SESSION_TAIL_MS = 3_000;
/** … or this long after it began, if some member never answers. */
const SESSION_MAX_MS = 60_000;
/** A page being hidden gives its rounds this long to finish before the socket closes. */
const HIDE_FLUSH_MS = 2_000;

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
  /** Engines in the rooms of epochs this device left: they tell late members the current one. */
  let heralds: CircleEngine[] = [];
  let oldRooms: OldRoom[] = loadOldRooms(sql);
  let removedNotice = loadRemovedNotice(sql);
  const seen = readSeen(sql);
  const names = new Map<DeviceId, string>();
  const kinds = new Map<DeviceId, DeviceKind>();
  /** Members heard speaking another protocol version (until one of their JOINs is accepted). */
  const versionErrors = new Map<DeviceId, 'peer-outdated' | 'self-outdated'>();
  const syncing = new Set<DeviceId>();
  let announced = 0;
  /**
   * Rows written while a stream arrives tell open lists to refresh at most once per changeIntervalMs,
   * the last write of a run late rather than never; the end of a round (`force`) at once.
   */
  const listChanged = createListChanged({
    emit: () => emit({ kind: 'todos.changed', ids: [], op: 'bulk' }),
    now,
    timers: deps.engine?.timers ?? realTimers,
    intervalMs: changeIntervalMs,
  });
  /** Engines replaced by a newer one: their last events are ignored. */
  let generation = 0;

  function maxVersion(): Hlc | null {
    let max: Hlc | null = null;
    for (const v of storage.readVector().values()) if (!max || v > max) max = v;
    return max;
  }

  /**
   * Tombstone collection (lib/db/tombstone-purge.ts), at most once a day: at start, and after a round with a
   * member has told us its vector. A storage fault leaves it for the next time.
   */
  function collectTombstones(told?: { member: DeviceId; vector: VersionVector }) {
    try {
      if (told) writeMemberVector(sql, told.member, told.vector);
      const others = stored?.circle.members.map((m) => m.id).filter((id) => id !== deviceId) ?? [];
      if (purgeDaily(sql, now(), others)?.length) emit({ kind: 'todos.changed', ids: [], op: 'bulk' });
    } catch (e) {
      log('warn', `tombstone collection: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  const maxOf = (a: Hlc | null, b: Hlc | null): Hlc | null => (a && b ? (a > b ? a : b) : (a ?? b));

  /** `peer` had at most the `rows` of a push pending: it is now seen up to `version`. */
  function pushSeen(peer: DeviceId, rows: number, version: Hlc | null) {
    const s = seen.get(peer);
    if (!s || !version || storage.countAbove(s.version) > rows) return;
    seen.set(peer, { version: maxOf(version, s.version)!, at: now() });
    writeSeen(sql, seen);
  }

  const nameOf = (id: string): string | null => {
    if (id === deviceId) return deviceName;
    const m = stored?.circle.members.find((x) => x.id === id);
    return names.get(id as DeviceId) ?? m?.name ?? null;
  };

  function state(): CircleState {
    if (!stored) return removedNotice ? { state: 'none', removed: removedNotice } : { state: 'none' };
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
        addedBy: nameOf(m.addedBy),
        kind: isSelf ? (deps.deviceKind ?? null) : (kinds.get(m.id) ?? null),
        versionError: versionErrors.get(m.id) ?? null,
      };
    });
    return { state: 'on', connected: engine?.connected ?? false, auto, members };
  }
  const publish = () => emit({ kind: 'circle.state', state: state() });

  function save(circle: Circle) {
    if (removedNotice) {
      // In a circle again (paired after a removal): the old notice is history.
      removedNotice = null;
      saveRemovedNotice(sql, null);
    }
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
    const oldHeralds = heralds;
    heralds = [];
    if (old) await old.stop();
    for (const h of oldHeralds) await h.stop();
    if (!stored) return publish();
    // Manual sync: no socket until "Sync now" (and heralds wait for it too); none while hidden.
    if ((!auto && !manualSession) || hidden) return publish();
    const heraldsStarted = startHeralds(gen);
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
      ...(deps.deviceKind ? { deviceKind: deps.deviceKind } : {}),
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
          if (ev.kind) kinds.set(ev.peerId, ev.kind);
          if (ev.online) versionErrors.delete(ev.peerId);
          if (!ev.online) syncing.delete(ev.peerId);
          return publish();
        case 'roster':
          save(ev.circle);
          return publish();
        case 'circle-offer':
          return void onOffer(ev.from, ev.payload);
        case 'epoch':
          return void onEpoch(ev.from, ev.keys, ev.payload);
        case 'syncing':
          if (!syncing.has(ev.peerId)) {
            syncing.add(ev.peerId);
            publish();
          }
          if (ev.written > announced) {
            announced = ev.written;
            listChanged.push(false);
          }
          return;
        case 'done':
          syncing.delete(ev.peerId);
          announced = 0;
          if (ev.received > 0) listChanged.push(true);
          else listChanged.flush();
          if (ev.status === 'success') {
            // Never below what a push already counted as seen.
            const version = maxOf(maxVersion(), seen.get(ev.peerId)?.version ?? null);
            if (version) seen.set(ev.peerId, { version, at: now() });
            else seen.set(ev.peerId, { version: '' as Hlc, at: now() });
            writeSeen(sql, seen);
            // No vector: no round was needed, the member's vector equals ours.
            collectTombstones({ member: ev.peerId, vector: ev.vector ?? storage.readVector() });
            if (manualSession) {
              sessionDone.add(ev.peerId);
              if (e.online().every((id) => sessionDone.has(id))) endSessionSoon(SESSION_TAIL_MS);
            }
          }
          return publish();
        case 'pushed':
          // A push is not acknowledged: the member counts as up to date when this push was all it
          // lacked. If the push is lost, the next round (on reconnect) brings the rows anyway.
          pushSeen(ev.peerId, ev.rows, maxVersion());
          return publish();
        case 'push-in':
          if (ev.changed > 0) emit({ kind: 'todos.changed', ids: [], op: 'bulk' });
          // Rows another member pushed are its changes, not ours: they count as pending on no one
          // that was up to date (the pusher sent them to every member online; rounds catch up the rest).
          for (const m of stored?.circle.members ?? [])
            if (m.id !== deviceId) pushSeen(m.id, ev.changed, maxOf(maxVersion(), ev.top));
          return publish();
        case 'connecting':
        case 'waiting':
          return publish();
        case 'self-shadowed':
          return markDeviceIdShadowed(sql);
        case 'error':
          if (ev.peerId && (ev.code === 'peer-outdated' || ev.code === 'self-outdated')) {
            versionErrors.set(ev.peerId, ev.code);
            return publish();
          }
          return;
        default:
          return;
      }
    });
    await e.start();
    await heraldsStarted;
    publish();
  }

  /**
   * Manual sync ("Sync automatically" off): "Sync now" opens the circle's socket, syncs with every
   * member that comes online, and closes it again once each has had a successful round (or after
   * SESSION_MAX_MS if nobody answers).
   */
  let auto = getKv(sql, AUTO_KEY) !== '0';
  let manualSession = false;
  /** The page running this worker is hidden (phone): no socket until it is shown again. */
  let hidden = false;
  const sessionDone = new Set<DeviceId>();
  let cancelSessionEnd: (() => void) | null = null;
  function endSessionSoon(ms: number) {
    cancelSessionEnd?.();
    cancelSessionEnd = realTimers.set(() => {
      cancelSessionEnd = null;
      if (!manualSession) return;
      manualSession = false;
      if (!auto) void run();
    }, ms);
  }

  /** One socket per old room, for EPOCH_GRACE_MS after leaving it: late members learn the new epoch. */
  async function startHeralds(gen: number): Promise<void> {
    const t = now();
    const live = oldRooms.filter((r) => r.until > t && r.circle.id === stored?.circle.id);
    if (live.length !== oldRooms.length) {
      oldRooms = live;
      saveOldRooms(sql, oldRooms);
    }
    const starting = oldRooms.map((old) =>
      (async () => {
        const room = await circleRoom(old.circle);
        if (gen !== generation || !stored) return;
        const h = createCircleEngine({
          ...deps.engine,
          log: deps.engine?.log ?? log,
          storage,
          transport: deps.openTransport({
            relayOrigin: stored.relayOrigin,
            sessionId: room.roomId as SessionId,
            deviceId,
            party: 'circle',
          }),
          clock: deps.clock,
          deviceId,
          identity: deps.identity,
          deviceName,
          circle: old.circle,
          room,
          physicalNow: now,
          herald: (peer) => heraldFor(peer),
        });
        heralds.push(h);
        h.subscribe((ev) => {
          if (gen === generation && ev.type === 'epoch') void onEpoch(ev.from, ev.keys, ev.payload);
        });
        await h.start();
      })().catch((e: unknown) => log('error', `herald failed: ${String(e)}`)),
    );
    await Promise.all(starting);
  }

  /** What a herald tells `peer`: the current epoch's record, with our own wrap if it has none there. */
  async function heraldFor(peer: DeviceId): Promise<PayloadOf<'EPOCH'> | null> {
    const c = stored?.circle;
    if (!c?.base) return null;
    const member = c.members.find((m) => m.id === peer);
    const wrap =
      member && !c.base.wraps[peer] ? await wrapSecret(deps.identity, member, c.id, c.epoch, c.secret) : null;
    // The roster travels only where it adds to the record's own (members added since).
    const inRecord = new Set(c.base.members.map((m) => m.sig));
    const roster = c.members.filter((m) => !inRecord.has(m.sig));
    return { record: c.base, roster, ...(wrap ? { wrap } : {}) } as PayloadOf<'EPOCH'>;
  }

  /** Moves to `next` (a later epoch of the same circle), listening in the room left for a while. */
  function moveTo(next: Circle) {
    if (!stored) return;
    const left = stored.circle;
    oldRooms = [
      { circle: left, until: now() + EPOCH_GRACE_MS },
      ...oldRooms.filter((r) => r.circle.epoch !== left.epoch || r.circle.secret !== left.secret),
    ].slice(0, MAX_OLD_ROOMS);
    saveOldRooms(sql, oldRooms);
    save(next);
  }

  /** Starts the next epoch without `targets` (and without removals made elsewhere we hold). */
  async function newEpoch(targets: DeviceId[], carried: readonly Removal[] = []): Promise<string | null> {
    if (!stored) return 'This device is not in a circle.';
    const r = await nextEpoch({
      circle: stored.circle,
      self,
      targets,
      carried,
      names: (id) => nameOf(id) ?? undefined,
      now: now(),
      secret: newCircleSecret(),
    });
    if ('error' in r)
      return r.error === 'nothing-to-remove'
        ? 'That device is not in your circle.'
        : 'This device cannot remove devices from its circle.';
    moveTo(r.circle);
    for (const t of targets) seen.delete(t);
    writeSeen(sql, seen);
    await run();
    return null;
  }

  /** Epoch news from any room is judged one at a time. */
  let epochChain: Promise<void> = Promise.resolve();
  function onEpoch(from: DeviceId, keys: PublicIdentity, payload: PayloadOf<'EPOCH'>) {
    epochChain = epochChain
      .then(() => judge(from, keys, payload))
      .catch((e: unknown) => log('error', `epoch: ${String(e)}`));
    return epochChain;
  }

  async function judge(from: DeviceId, keys: PublicIdentity, payload: PayloadOf<'EPOCH'>) {
    if (!stored) return;
    const v = await judgeEpoch({
      circle: stored.circle,
      self,
      record: payload.record as Circle['base'] & object,
      roster: payload.roster,
      from: { id: from, keys },
      ...(payload.wrap ? { wrap: payload.wrap } : {}),
    });
    switch (v.kind) {
      case 'refused':
        return log('warn', `epoch from ${from} refused: ${v.why}`);
      case 'removed': {
        removedNotice = { by: nameOf(v.removal.by) ?? 'another device', at: v.removal.at };
        saveRemovedNotice(sql, removedNotice);
        forgetCircle(sql);
        stored = null;
        oldRooms = [];
        seen.clear();
        await run();
        return;
      }
      case 'older':
        // Two members removed different devices at once: the epoch that won lacks one removal.
        if (v.carry.length > 0) await newEpoch([], v.carry);
        return;
      case 'move': {
        // What our previous epoch removed that the winner does not: carried into the next one.
        const lost = missingRemovals(v.circle, stored.circle.base?.removed ?? []);
        moveTo(v.circle);
        if (lost.length > 0) await newEpoch([], lost);
        else await run();
        return;
      }
    }
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
    save(r.circle);
    oldRooms = [];
    saveOldRooms(sql, oldRooms);
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
        save(next);
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
    start: () => {
      collectTombstones();
      return run();
    },
    /** Settles once the latest engine start and epoch change have finished (tests). */
    async started() {
      for (;;) {
        const [run0, epoch0] = [lastRun, epochChain];
        await Promise.all([run0, epoch0]);
        if (run0 === lastRun && epoch0 === epochChain) return;
      }
    },
    /** A local write committed: sync it to the members online. */
    localChanged() {
      if (!engine) {
        if (stored) publish(); // manual sync: the pending counts grew
        return;
      }
      engine.push();
      publish();
    },
    /**
     * The page that runs this worker is shown or hidden (the phone app: a phone freezes hidden
     * pages). Hidden: waiting changes go out, rounds get up to HIDE_FLUSH_MS to finish, then the
     * socket closes. Shown: it connects again and catches up.
     */
    async setVisible(visible: boolean) {
      if (hidden === !visible) return;
      hidden = !visible;
      if (hidden && engine) {
        const e = engine;
        await e.flush();
        for (let waited = 0; e.busy() && waited < HIDE_FLUSH_MS; waited += 50)
          await new Promise<void>((r) => realTimers.set(r, 50));
        if (!hidden) return; // shown again meanwhile: keep the socket
      }
      await run();
    },
    /** "Sync automatically" on (the default) or off (only "Sync now" syncs). */
    setAuto(on: boolean) {
      auto = on;
      setKv(sql, AUTO_KEY, on ? '1' : '0');
      manualSession = false;
      cancelSessionEnd?.();
      void run();
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
    /** "Sync now": a round with every member online (with manual sync, connecting first). */
    syncNow() {
      if (engine || !stored) return engine?.syncNow();
      manualSession = true;
      sessionDone.clear();
      endSessionSoon(SESSION_MAX_MS);
      void run();
    },
    /** Stops syncing and forgets the circle; the list stays. */
    async leave() {
      forgetCircle(sql);
      stored = null;
      oldRooms = [];
      seen.clear();
      await run();
    },
    /** Removes another device: a new epoch it cannot follow (lib/circle/epoch.ts). An error text or null. */
    remove(id: DeviceId): Promise<string | null> {
      if (id === deviceId) return Promise.resolve('Use “Leave this circle” on this device instead.');
      let error: string | null = null;
      epochChain = epochChain
        .then(async () => {
          error = await newEpoch([id]);
        })
        .catch((e: unknown) => log('error', `remove: ${String(e)}`));
      return epochChain.then(() => error);
    },
    /** The user read the removal notice. */
    dismissRemoved() {
      removedNotice = null;
      saveRemovedNotice(sql, null);
      publish();
    },
    get engine() {
      return engine;
    },
    /** Engines in old rooms telling late members the current epoch (tests). */
    get heralds(): readonly CircleEngine[] {
      return heralds;
    },
  };
}
export type WorkerCircle = ReturnType<typeof createWorkerCircle>;
