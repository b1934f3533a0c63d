/**
 * The sync wiring inside the DB worker: answers the pages' `sync.*` and `settings.*` requests, runs
 * one engine at a time over the worker's own Sql connection and a relay socket, and turns engine
 * events into `sync.state` (and, when remote rows land, `todos.changed`) events. No chrome.* here:
 * the same worker serves Chrome's offscreen document, Firefox's background page and the phone app.
 */
import type { Sql } from '../db/sql';
import type { WorkerEvent } from '../messages/events';
import type { Request, Response } from '../messages/requests';
import {
  SYNC_DEVICES_MAX,
  SYNC_HISTORY_MAX,
  type SyncDevice,
  type SyncLogEntry,
  type SyncState,
} from '../messages/sync-schema';
import type { DeviceIdentity } from '../crypto/identity';
import type { HybridClock } from '../model/hlc';
import type { DeviceId, SessionId } from '../model/ids';
import { createPairingLink, parsePairingLink } from '../pairing/pairing-link';
import type { SyncEngine, SyncEngineOptions, SyncEvent, SyncSession } from './engine-types';
import { createPartySocketTransport } from './partysocket-transport';
import type { DeviceKind } from './device-label';
import { realTimers, type Transport } from './ports';
import { createListChanged, createProgressThrottle } from './progress-throttle';
import { createRelaySetting } from './relay-url';
import { createSqliteSyncStorage } from '../db/sync-storage';
import { errorText } from '../messages/sync-text';
import { readSyncLog } from '../db/sync-log';
import { markDeviceIdShadowed } from '../db/device';
import { createSyncEngine } from './sync-engine';
import { createWorkerCircle, type WorkerCircleDeps } from './worker-circle';

type SyncKind = Extract<Request['kind'], `sync.${string}` | `settings.${string}` | `circle.${string}`>;
export type SyncRequest = Extract<Request, { kind: SyncKind }>;

export const isSyncRequest = (r: Request): r is SyncRequest =>
  r.kind.startsWith('sync.') || r.kind.startsWith('settings.') || r.kind.startsWith('circle.');

export interface WorkerSyncDeps {
  sql: Sql;
  clock: HybridClock;
  deviceId: DeviceId;
  identity: DeviceIdentity;
  deviceName: string;
  /** Chrome, Firefox or phone: shown to the other members of the circle. */
  deviceKind?: DeviceKind;
  /** WXT_RELAY_URL of the build (already normalised); Settings may override it. */
  defaultRelayUrl: string;
  emit: (e: WorkerEvent) => void;
  openTransport?: (o: {
    relayOrigin: string;
    sessionId: SessionId;
    deviceId: DeviceId;
    party: 'relay' | 'circle';
  }) => Transport;
  now?: () => number;
  /** Engine knobs tests turn (timers, timeouts, log). */
  engine?: Pick<SyncEngineOptions, 'timers' | 'silenceTimeoutMs' | 'connectTimeoutMs' | 'log'>;
  /** Circle engine knobs tests turn. */
  circleEngine?: WorkerCircleDeps['engine'];
  /**
   * While rows stream in, an open list is told to refresh at most this often: a refetch per write
   * costs the list's queries on every open page. The last write is always announced.
   */
  changeIntervalMs?: number;
  /** Progress states (`syncing`) go out at most this often; every other state at once. */
  progressIntervalMs?: number;
}

const AFTER_DONE_QUIET = new Set(['session-expired', 'connection-lost', 'relay-unreachable']);

const ok = (data: unknown): Response => ({ ok: true, data });
const invalid = (message: string): Response => ({ ok: false, error: { code: 'invalid', message } });

export function createWorkerSync(deps: WorkerSyncDeps) {
  const { sql, deviceId, emit } = deps;
  const now = deps.now ?? Date.now;
  const relay = createRelaySetting(sql, deps.defaultRelayUrl);
  const storage = createSqliteSyncStorage(sql, now);
  const openTransport = deps.openTransport ?? createPartySocketTransport;
  const changeIntervalMs = deps.changeIntervalMs ?? 1_000;

  // No engine runs yet, so a row still 'running' was cut off by a closed browser or a crash.
  storage.closeInterrupted(now());

  const circle = createWorkerCircle({
    sql,
    clock: deps.clock,
    deviceId,
    identity: deps.identity,
    deviceName: deps.deviceName,
    ...(deps.deviceKind ? { deviceKind: deps.deviceKind } : {}),
    emit,
    openTransport,
    now,
    engine: deps.circleEngine,
    changeIntervalMs,
  });

  let engine: SyncEngine | null = null;
  let generation = 0;
  let state: SyncState = { phase: 'idle' };
  let starting: Promise<void> = Promise.resolve();

  const published = createProgressThrottle<SyncState>({
    emit: (s) => emit({ kind: 'sync.state', state: s }),
    isProgress: (s) => s.phase === 'syncing',
    now,
    timers: deps.engine?.timers ?? realTimers,
    intervalMs: deps.progressIntervalMs ?? 100,
  });
  /**
   * Rows written while a stream arrives tell open lists to refresh at most once per changeIntervalMs
   * (the last write of a run still goes out, late); the end of a sync (`force`) at once.
   */
  const listChanged = createListChanged({
    emit: () => emit({ kind: 'todos.changed', ids: [], op: 'bulk' }),
    now,
    timers: deps.engine?.timers ?? realTimers,
    intervalMs: changeIntervalMs,
  });
  /** `state` is always the latest (what `sync.status` answers); the event of a progress state may wait. */
  const setState = (s: SyncState) => {
    state = s;
    published.push(s);
  };

  function stopCurrent() {
    circle.pairingEnded();
    published.cancel();
    // Rows already written: open lists still hear of them.
    listChanged.flush();
    generation++;
    const e = engine;
    engine = null;
    // Stopping is asynchronous (it runs after frames already queued); a new session need not wait.
    if (e) void e.stop();
  }

  function run(session: SyncSession, relayOrigin: string, role: 'host' | 'guest', maxGuests = 1) {
    stopCurrent();
    const gen = generation;
    const e = createSyncEngine({
      ...deps.engine,
      storage,
      transport: openTransport({ relayOrigin, sessionId: session.sessionId, deviceId, party: 'relay' }),
      circle: circle.pairing(relayOrigin),
      clock: deps.clock,
      deviceId,
      identity: deps.identity,
      deviceName: circle.name,
      session,
      maxGuests,
      physicalNow: now,
    });
    engine = e;
    // Rounds with several devices interleave, and `received` counts per round: track each peer's.
    const announced = new Map<DeviceId, number>();
    const announce = (peer: DeviceId, written: number, force: boolean) => {
      if (written > (announced.get(peer) ?? 0)) {
        announced.set(peer, written);
        listChanged.push(force);
      } else if (force) listChanged.flush(); // the end of a sync: a write still waiting goes now
    };
    /** Every device met in this session, in the order they appeared. */
    const devices = new Map<DeviceId, SyncDevice>();
    const track = (id: DeviceId, name: string, status: SyncDevice['status'], progress: number) => {
      if (devices.has(id) || devices.size < SYNC_DEVICES_MAX) devices.set(id, { id, name, status, progress });
    };
    const list = () => [...devices.values()];
    e.subscribe((ev: SyncEvent) => {
      if (gen !== generation) {
        // A replaced or cancelled session winding down: stopping writes the rows that arrived and
        // were still waiting for their write (rounds.ts), and open lists hear of them.
        if (ev.type === 'done' && ev.received > 0) emit({ kind: 'todos.changed', ids: [], op: 'bulk' });
        return;
      }
      switch (ev.type) {
        case 'connecting':
        case 'waiting':
          // After a finished sync the socket may drop and come back; the result stays what the user sees.
          if (state.phase === 'done') return;
          return setState({ phase: ev.type, role, devices: list() });
        case 'peer-joined':
          announced.delete(ev.peerId);
          track(ev.peerId, ev.name, 'joined', 0);
          return setState({ phase: 'peer-joined', role, name: ev.name, devices: list() });
        case 'syncing':
          announce(ev.peerId, ev.written, false);
          track(ev.peerId, ev.name, 'syncing', ev.progress);
          return setState({
            phase: 'syncing',
            role,
            name: ev.name,
            progress: ev.progress,
            sent: ev.sent,
            received: ev.received,
            devices: list(),
          });
        case 'done':
          circle.pairingEnded();
          announce(ev.peerId, ev.received, true);
          announced.delete(ev.peerId);
          track(ev.peerId, ev.name, ev.status, 1);
          return setState({
            phase: 'done',
            role,
            name: ev.name,
            sent: ev.sent,
            received: ev.received,
            status: ev.status,
            reason: ev.reason,
            devices: list(),
          });
        case 'error':
          circle.pairingEnded();
          // The relay ends an idle session after its TTL, or the network drops: once a sync
          // finished, that is no news.
          if (state.phase === 'done' && AFTER_DONE_QUIET.has(ev.code)) return;
          return setState({
            phase: 'error',
            role,
            code: ev.code,
            message: errorText(ev.code, ev.peerId ? devices.get(ev.peerId)?.name : null),
            devices: list(),
          });
        case 'self-shadowed':
          // This copy's history under its id differs from what peers hold: new id at next open.
          return markDeviceIdShadowed(sql);
      }
    });
    // Pages ask for the state right after pairing; the engine's own first event comes after a key derivation.
    setState({ phase: 'connecting', role, devices: [] });
    starting = e.start().catch(() => {
      if (gen === generation)
        setState({ phase: 'error', role, code: 'internal', message: errorText('internal') });
    });
  }

  /** `maxGuests` was validated with the request (1..MAX_GUESTS_LIMIT). */
  function pair(maxGuests = 1): Response {
    const link = createPairingLink({ relayOrigin: relay.get(), hostId: deviceId, now: now() });
    run(
      { sessionId: link.sessionId, sessionKey: link.sessionKey, hostId: deviceId, expiresAt: link.expiresAt },
      link.relayOrigin,
      'host',
      maxGuests,
    );
    return ok({ link: link.url, expiresAt: link.expiresAt });
  }

  function join(text: string): Response {
    const parsed = parsePairingLink(text, now());
    if (!parsed.ok) return invalid(parsed.error);
    const { link } = parsed;
    if (link.hostId === deviceId)
      return invalid('This link was made on this device. Open “Join a device” on the other device instead.');
    run(
      {
        sessionId: link.sessionId,
        sessionKey: link.sessionKey,
        hostId: link.hostId,
        expiresAt: link.expiresAt,
      },
      link.relayOrigin,
      'guest',
    );
    return ok(null);
  }

  const history = (limit: number): SyncLogEntry[] => readSyncLog(sql, Math.min(limit, SYNC_HISTORY_MAX));

  const settings = () => ({ relayUrl: relay.get(), defaultRelayUrl: deps.defaultRelayUrl });

  return {
    handle(req: SyncRequest): Response {
      switch (req.kind) {
        case 'sync.pair':
          return pair(req.maxGuests);
        case 'sync.join':
          return join(req.link);
        case 'sync.cancel':
          stopCurrent();
          setState({ phase: 'idle' });
          return ok(null);
        case 'sync.status':
          return ok(state);
        case 'sync.history':
          return ok(history(req.limit));
        case 'circle.status':
          return ok(circle.status());
        case 'circle.leave':
          void circle.leave();
          return ok(null);
        case 'circle.remove': {
          // Answered at once; the new epoch is made (keys wrapped, signed) and announced in the background.
          const s = circle.status();
          const target = s.state === 'on' ? s.members.find((m) => m.id === req.id) : undefined;
          if (!target) return invalid('That device is not in your circle.');
          if (target.self) return invalid('Use “Leave this circle” on this device instead.');
          void circle.remove(req.id as DeviceId).then((e) => e && console.warn(`[circle] ${e}`));
          return ok(null);
        }
        case 'circle.visible':
          void circle.setVisible(req.visible);
          return ok(null);
        case 'circle.setAuto':
          circle.setAuto(req.on);
          return ok(circle.status());
        case 'circle.dismissRemoved':
          circle.dismissRemoved();
          return ok(null);
        case 'circle.sync':
          circle.syncNow();
          return ok(null);
        case 'circle.rename': {
          // Answered with the new state; the circle's engine re-JOINs with the name in the background.
          const error = circle.rename(req.name);
          return error ? invalid(error) : ok(circle.status());
        }
        case 'settings.get':
          return ok(settings());
        case 'settings.set': {
          const r = relay.set(req.relayUrl);
          return r.ok ? ok(settings()) : invalid(r.error);
        }
      }
    },
    /** Starts syncing with this device's circle, if it has one (at worker start). */
    startCircle: () => circle.start(),
    /** A local write committed: the circle syncs it. */
    localChanged: () => circle.localChanged(),
    circle,
    /** Settles once the current engine has its key and asked its socket to open (tests). */
    started: () => starting,
    /** The running engine, for tests and benchmarks. */
    get engine() {
      return engine;
    },
  };
}
export type WorkerSync = ReturnType<typeof createWorkerSync>;
