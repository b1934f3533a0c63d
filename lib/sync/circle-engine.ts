/**
 * The sync engine for a circle's room (docs/protocol.md "Circles"): every member is equal, and the
 * engine runs for as long as the device does. The same three concerns as a pairing session:
 * - who may talk: circle-admission.ts (the signed roster, JOIN freshness);
 * - how frames travel: channel.ts, with the circle's join key in place of a link key;
 * - what to send: rounds.ts, a version-vector round with each member that comes online; after each
 *   local change (`push`), batched, a live PUSH of the changed rows to each member online
 *   (docs/protocol.md "Live push"), and rounds again only when a round brought rows others may lack.
 * JOINs carry the sender's roster, so a member added while this device was away is learned from
 * whoever is online; an entry counts only when its signatures chain back to the founder.
 */
import { mergeRoster, type Circle } from '../circle/roster';
import type { CircleRoom } from '../circle/circle-keys';
import type { DeviceIdentity, PublicIdentity } from '../crypto/identity';
import { deviceOfHlc, type HybridClock, type Hlc } from '../model/hlc';
import type { DeviceId, SessionId } from '../model/ids';
import { versionOf, type SyncRow } from '../model/merge';
import { SYNC_FIELDS } from '../model/todo';
import { DEVICE_NAME_MAX, MAX_PUSH_ROWS, type DeviceMessage, type PayloadOf } from '../protocol/messages';
import { toWireRow } from '../protocol/wire-row';
import { createCircleAdmission } from './circle-admission';
import { createChannel, type Opened } from './channel';
import { versionErrorCode, type SyncEvent, type SyncStats } from './engine-types';
import { PROTOCOL_VERSION } from '../protocol/envelope';
import { realTimers, type SyncStorage, type Timers, type Transport } from './ports';
import { createRounds } from './rounds';
import type { DeviceKind } from './device-label';
import { zeroStampOf } from './vector';

export interface CircleEngineOptions {
  storage: SyncStorage;
  transport: Transport;
  clock: HybridClock;
  deviceId: DeviceId;
  identity: DeviceIdentity;
  deviceName: string;
  /** What kind of device this is (lib/sync/device-label.ts); told in JOINs. */
  deviceKind?: DeviceKind;
  circle: Circle;
  room: CircleRoom;
  physicalNow?: () => number;
  random?: () => number;
  timers?: Timers;
  log?: (level: 'debug' | 'warn' | 'error', message: string) => void;
  silenceTimeoutMs?: number;
  /** Local changes wait this long for more before one PUSH carries them all. Default 100 ms. */
  pushDelayMs?: number;
  /** A round that ended short with a member still online is tried again after this, doubling. Default 5 s. */
  retryMs?: number;
  /**
   * A herald: this engine runs in a room the device has left for a newer epoch (a removal). It syncs
   * nothing; it tells each member it admits what this returns (the new epoch), once per member nonce.
   */
  herald?: (peer: DeviceId) => Promise<PayloadOf<'EPOCH'> | null>;
}

/** A round that ended short is retried while the member stays online, backing off up to this. */
const MAX_RETRY_MS = 5 * 60_000;
/** Reasons that are no failure of the pair: a newer round took over, or this engine stopped. */
const NOT_RETRIED = new Set(['superseded', 'stopped']);
/** Rows of other devices a push scan may step over (rows a round just brought) before it gives up for rounds. */
const PUSH_SCAN_ROWS = 1024;
/** After connecting, the JOIN is said again at these delays while a member is still unheard: a relay dropping one (rate limits) must not leave two online members apart until the next reconnect. */
const REJOIN_MS = [2_000, 8_000, 30_000];

export type CircleEvent =
  | SyncEvent
  /** A member's socket is (or is no longer) heard in the room. */
  | { type: 'presence'; peerId: DeviceId; online: boolean; name: string; kind?: DeviceKind }
  /** The roster grew (a JOIN brought members added elsewhere): persist it. */
  | { type: 'roster'; circle: Circle }
  /** A member handed us a circle to move to (two circles joined): the wiring decides. */
  | { type: 'circle-offer'; from: DeviceId; payload: PayloadOf<'CIRCLE'> }
  /** A member told us of a new epoch (a removal): the wiring judges it (lib/circle/epoch.ts). */
  | { type: 'epoch'; from: DeviceId; keys: PublicIdentity; payload: PayloadOf<'EPOCH'> }
  /** A PUSH of `rows` of our latest changes went to this member (handed to the relay; not acknowledged). */
  | { type: 'pushed'; peerId: DeviceId; rows: number }
  /**
   * A member's PUSH was applied: `changed` rows took something, `held` were refused (clock ahead),
   * `top` is the greatest stamp applied.
   */
  | { type: 'push-in'; peerId: DeviceId; changed: number; held: number; top: Hlc | null };

export interface CircleEngine {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A local change was committed: push it to every member online, soon (batched). */
  push(): void;
  /** A round with every member online now, whatever changed. */
  syncNow(): void;
  /** Local changes waiting for the push batch go out now (the page is about to be hidden). */
  flush(): Promise<void>;
  /** A round runs or a push waits. */
  busy(): boolean;
  /** The same circle with a roster that grew here (this device added a member while pairing). */
  adopt(next: Circle): void;
  /** Sends a circle to every member online (after this device moved to another circle). */
  offer(payload: PayloadOf<'CIRCLE'>): Promise<void>;
  subscribe(listener: (e: CircleEvent) => void): () => void;
  idle(): Promise<void>;
  online(): DeviceId[];
  readonly circle: Circle;
  readonly connected: boolean;
  readonly stats: SyncStats;
}

export function createCircleEngine(opts: CircleEngineOptions): CircleEngine {
  const { storage, transport, deviceId: self } = opts;
  const now = opts.physicalNow ?? Date.now;
  const timers = opts.timers ?? realTimers;
  const log = opts.log ?? (() => {});
  const name = opts.deviceName.slice(0, DEVICE_NAME_MAX);
  const pushDelayMs = opts.pushDelayMs ?? 100;
  let circle = opts.circle;

  const stats: SyncStats = {
    framesSent: 0,
    bytesSent: 0,
    framesReceived: 0,
    bytesReceived: 0,
    framesDropped: 0,
    rowsRefused: 0,
    framesHeld: 0,
  };
  const listeners = new Set<(e: CircleEvent) => void>();
  const emitRaw = (e: CircleEvent) => {
    for (const l of listeners) l(e);
  };

  const channel = createChannel({
    transport,
    self,
    identity: opts.identity,
    sessionId: opts.room.roomId,
    sessionKey: opts.room.joinKey,
    stats,
    log,
  });
  const admission = createCircleAdmission({
    self,
    nonce: channel.selfParty.nonce,
    members: () => circle.members,
  });

  /** Members heard in the room since our socket (re)opened. */
  const online = new Set<DeviceId>();
  /** Per member, the nonce of theirs our last JOIN to them echoed: they will accept ours from it. */
  const echoed = new Map<DeviceId, string>();
  /** Members that got a local change while a round with them ran: one more round when it ends. */
  const dirty = new Set<DeviceId>();
  const greeted = new Map<DeviceId, number>();
  /** Members already reported as speaking another protocol version. */
  const versionWarned = new Set<DeviceId>();

  const retryMs = opts.retryMs ?? 5_000;
  const retries = new Map<DeviceId, number>();
  /**
   * The version vector (other devices' entries) as of the last forward. When a round brings stamps
   * we did not have (rows another member wrote, perhaps one that is gone now), rounds carry them on
   * to the others online: so a change reaches every member that meets anyone who has it. Only new
   * stamps grow the vector, so this ends. Our own entry is left out: our writes go by PUSH.
   */
  let pushedVector = '';
  const vectorKey = () => {
    const v = storage.readVector();
    v.delete(self);
    return JSON.stringify([...v.entries()].sort());
  };
  const emit = (e: SyncEvent) => {
    emitRaw(e);
    if (e.type !== 'done') return;
    if (e.received > 0 && !stopped) {
      try {
        if (vectorKey() !== pushedVector) schedule('forward');
      } catch {
        // Storage fault: the next round or write tries again.
      }
    }
    if (dirty.delete(e.peerId) && online.has(e.peerId)) {
      void enqueue(() => startRound(e.peerId));
      return;
    }
    if (e.status === 'success') {
      retries.delete(e.peerId);
      return;
    }
    // Anti-entropy: whatever cut the round short (a lost frame, a peer that went quiet, a full disk,
    // a forged PEER_LEFT), a member still online gets another round, backing off.
    const n = (retries.get(e.peerId) ?? 0) + 1;
    if (stopped || !online.has(e.peerId) || NOT_RETRIED.has(e.reason ?? '')) return;
    retries.set(e.peerId, n);
    const peer = e.peerId;
    timers.set(
      () => void enqueue(() => startRound(peer)),
      Math.min(MAX_RETRY_MS, retryMs * 2 ** Math.min(n - 1, 10)),
    );
  };

  const rounds = createRounds({
    storage,
    clock: opts.clock,
    self,
    sessionId: opts.room.roomId as SessionId,
    send: (type, to, payload) => channel.send(type, to, payload),
    metadataFor: () => ({ name, peers: [] }),
    emit,
    log,
    now,
    random: opts.random ?? Math.random,
    timers,
    silenceMs: opts.silenceTimeoutMs ?? 30_000,
    stats,
    enqueue: (task) => void enqueue(task),
  });

  let stopped = false;
  let chain: Promise<void> = Promise.resolve();
  const unsubscribers: (() => void)[] = [];
  const enqueue = (task: () => Promise<void> | void) => {
    chain = chain
      .then(task)
      .catch((e: unknown) =>
        log('error', `circle handler failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
      );
    return chain;
  };

  /**
   * JOINs carry digests of the roster and of the version vector, not the roster itself: a member
   * whose roster digest differs from ours gets our roster in our answer, and two members whose
   * vectors are equal skip the catch-up round. A reconnect with nothing changed is then the JOIN
   * exchange alone (docs/protocol.md "Circles").
   */
  const rosterDigest = () => digest(circle.members.map((m) => m.sig).sort());
  const vectorDigest = () => {
    try {
      return digest([...storage.readVector().entries()].map(([d, h]) => `${d}=${h}`).sort());
    } catch {
      return '';
    }
  };
  /** Per member, the roster digest we last answered with our roster (no answer loop). */
  const rosterSent = new Map<DeviceId, string>();
  /** Per member, the digests its latest JOIN carried. */
  const peerRoster = new Map<DeviceId, string>();
  const peerVector = new Map<DeviceId, string>();
  const join = (echo?: string, to?: DeviceId, withRoster = false) => {
    const rh = rosterDigest();
    // No `keys` (v5): every member holds them in our roster entry, and a JOIN counts only with it.
    return {
      name,
      nonce: channel.selfParty.nonce,
      rh,
      vh: vectorDigest(),
      ...(withRoster || (to && peerRoster.get(to) !== rh) ? { roster: circle.members } : {}),
      ...(opts.deviceKind ? { kind: opts.deviceKind } : {}),
      ...(echo ? { echo } : {}),
    };
  };
  async function sendJoin(to: DeviceId | undefined, echo?: string, withRoster = false) {
    if (to && echo) echoed.set(to, echo);
    await channel.send('JOIN', to, join(echo, to, withRoster));
  }

  /** The first round with a member that came online, unless our vectors say there is nothing to do. */
  const sameVector = (id: DeviceId) => {
    const theirs = peerVector.get(id);
    return !!theirs && theirs === vectorDigest() && !dirty.has(id) && !rounds.isInRound(id);
  };
  /** Nothing to exchange with `id`: as good as a round that succeeded (its "last synced" moves). */
  const settled = (id: DeviceId) =>
    emit({
      type: 'done',
      peerId: id,
      name: admission.get(id)?.name ?? '',
      sent: 0,
      received: 0,
      status: 'success',
      reason: null,
    });
  async function catchUpWith(id: DeviceId) {
    if (opts.herald) return tell(id);
    if (sameVector(id)) return settled(id);
    return startRound(id);
  }

  /** Herald only: the member nonce each was told the new epoch at. */
  const told = new Map<DeviceId, string>();
  async function tell(id: DeviceId) {
    const p = admission.get(id);
    if (!opts.herald || !p || told.get(id) === p.party.nonce || !channel.hasPeer(id)) return;
    const payload = await opts.herald(id);
    if (!payload || stopped) return;
    told.set(id, p.party.nonce);
    await channel.send('EPOCH', id, payload);
  }

  async function startRound(id: DeviceId) {
    if (opts.herald) return tell(id);
    if (stopped || !online.has(id) || !channel.hasPeer(id)) return;
    if (rounds.isInRound(id)) {
      dirty.add(id);
      return;
    }
    await rounds.startRound(rounds.peerOf(id));
  }

  /**
   * Members that came online and have not had their catch-up round yet. Kept apart from `online`:
   * when two members reconnect at once their JOINs cross, each marks the other online on the first
   * (unproven) one, and the round must still start on the proven answer.
   */
  const catchUp = new Set<DeviceId>();

  /** What kind of device each member said it is in its JOIN. */
  const kinds = new Map<DeviceId, DeviceKind>();
  function setOnline(id: DeviceId, on: boolean, peerName: string) {
    if (online.has(id) === on) return;
    if (on) {
      online.add(id);
      catchUp.add(id);
    } else {
      online.delete(id);
      catchUp.delete(id);
    }
    const kind = kinds.get(id);
    emitRaw({ type: 'presence', peerId: id, online: on, name: peerName, ...(kind ? { kind } : {}) });
  }

  async function learnRoster(join: PayloadOf<'JOIN'>) {
    if (!join.roster || opts.herald) return;
    const next = await mergeRoster(circle, join.roster);
    if (next === circle) return;
    circle = next;
    emitRaw({ type: 'roster', circle });
    // Members we just learned of may have said their JOIN before we knew them: say ours, roster and all.
    if (transport.isOpen) await sendJoin(undefined, undefined, true);
  }

  async function onJoin(from: DeviceId, msg: DeviceMessage & { type: 'JOIN' }) {
    await learnRoster(msg.payload);
    const decision = admission.onJoin(from, msg.payload);
    if (decision.kind !== 'ignore' && decision.kind !== 'refuse') {
      peerRoster.set(from, msg.payload.rh ?? '');
      peerVector.set(from, msg.payload.vh ?? '');
    }
    if (msg.payload.kind && decision.kind !== 'ignore' && decision.kind !== 'refuse')
      kinds.set(from, msg.payload.kind);
    switch (decision.kind) {
      case 'ignore':
      case 'refuse':
        return log('debug', `circle JOIN from ${from} ignored`);
      case 'challenge':
        // Not proven live: answer with ours, echoing it; we adopt its nonce once it echoes ours.
        return sendJoin(from, decision.nonce);
      case 'same': {
        setOnline(from, true, decision.peer.name);
        if (!decision.live) return sendJoin(from, msg.payload.nonce);
        // Its roster lacks entries we have: answer with ours (once per digest it shows).
        if (!opts.herald && msg.payload.rh !== rosterDigest() && rosterSent.get(from) !== msg.payload.rh) {
          rosterSent.set(from, msg.payload.rh ?? '');
          await sendJoin(from, msg.payload.nonce);
        }
        // It hears us and we hold its key: a reconnect of either side. Catch up once.
        if (catchUp.delete(from)) await catchUpWith(from);
        return;
      }
      case 'accept': {
        if (!(await channel.setPeer(decision.peer.party))) return log('warn', `unusable key from ${from}`);
        rounds.peerOf(from, decision.peer.name);
        greeted.delete(from);
        for (const frame of channel.takeHeld(from)) await dispatch(await channel.open(frame));
        setOnline(from, true, decision.peer.name);
        // It echoed our nonce; if we have not yet echoed its current one, it does not hold our key.
        if (echoed.get(from) !== msg.payload.nonce) {
          await sendJoin(from, msg.payload.nonce);
          // A herald tells at once: the member holds the frame until our JOIN gives it the key.
          if (opts.herald) await tell(from);
          // The other side starts the catch-up round, or skips it as we do when our vectors are equal.
          else if (sameVector(from) && catchUp.delete(from)) settled(from);
          return;
        }
        catchUp.delete(from);
        return catchUpWith(from);
      }
    }
  }

  async function dispatch(o: Opened) {
    switch (o.kind) {
      case 'ignored':
      case 'dropped':
      case 'relay-error':
        return;
      case 'version':
        // A member of our roster on another protocol version: say so once per device (the frame's
        // `v` is unauthenticated, so a stranger's id is not worth a word).
        if (!circle.members.some((m) => m.id === o.from) || versionWarned.has(o.from)) return;
        versionWarned.add(o.from);
        return emitRaw({ type: 'error', code: versionErrorCode(o.v, PROTOCOL_VERSION), peerId: o.from });
      case 'held': {
        if (o.kept) stats.framesHeld++;
        // A member talks to us under a key we do not share (one of us restarted unheard): greet it
        // on the 1st, 2nd, 4th… such frame, so the answering JOIN re-keys the pair.
        if (!circle.members.some((m) => m.id === o.from)) return;
        const n = (greeted.get(o.from) ?? 0) + 1;
        if (greeted.size < 64 || greeted.has(o.from)) greeted.set(o.from, n);
        if ((n & (n - 1)) === 0) await sendJoin(o.from, admission.get(o.from)?.party.nonce);
        return;
      }
      case 'peer-left': {
        // Relay-made and unauthenticated: it may only mark a member away and end a round early.
        const p = admission.get(o.id);
        if (p) setOnline(o.id, false, p.name);
        return rounds.onPeerLeft(o.id);
      }
      case 'message':
        break;
    }
    const { msg } = o;
    if (msg.type === 'JOIN') return onJoin(msg.from, msg);
    if (!admission.get(msg.from)) return log('debug', `${msg.type} from a device not admitted here`);
    if (msg.type === 'EPOCH') {
      const keys = admission.get(msg.from)!.party.keys;
      return emitRaw({ type: 'epoch', from: msg.from, keys, payload: msg.payload });
    }
    if (opts.herald) return;
    if (msg.type === 'CIRCLE') return emitRaw({ type: 'circle-offer', from: msg.from, payload: msg.payload });
    if (msg.type === 'PUSH') return onPush(msg.from, msg.payload);
    return rounds.onMessage(msg.from, msg as Parameters<typeof rounds.onMessage>[1]);
  }

  /** Cancels the current connection's JOIN repeats. */
  const cancelRejoin: (() => void)[] = [];
  async function onOpen() {
    if (stopped) return;
    emitRaw({ type: 'waiting' });
    await sendJoin(undefined);
    for (const f of cancelRejoin.splice(0)) f();
    for (const ms of REJOIN_MS)
      cancelRejoin.push(
        timers.set(
          () =>
            void enqueue(async () => {
              const unheard = circle.members.some((m) => m.id !== self && !online.has(m.id));
              // A member that does not answer may not know us yet (added elsewhere): the roster goes along.
              if (!stopped && transport.isOpen && unheard) await sendJoin(undefined, undefined, true);
            }),
          ms,
        ),
      );
  }

  function onClose() {
    for (const f of cancelRejoin.splice(0)) f();
    if (stopped) return;
    rounds.onDisconnect();
    for (const id of [...online]) setOnline(id, false, admission.get(id)?.name ?? '');
    emitRaw({ type: 'connecting' });
  }

  /**
   * A member's live push (docs/protocol.md "Live push"). The frame opened under our pair key with a
   * counter after the last one, so it is the member's own and fresh; its rows go through the rounds'
   * checks and merge. Rows held back for a clock far ahead get a round with the member later.
   */
  function onPush(from: DeviceId, payload: PayloadOf<'PUSH'>) {
    if (!circle.members.some((m) => m.id === from)) return log('debug', `PUSH from ${from}, not a member`);
    const r = rounds.applyPush(from, payload);
    if (!r) return;
    emitRaw({ type: 'push-in', peerId: from, changed: r.changed, held: r.held, top: r.top });
    if (r.held > 0) timers.set(() => void enqueue(() => startRound(from)), retryMs);
  }

  /** Our own stamp up to which local writes have been pushed (or were there before this engine ran). */
  let pushedSelf: Hlc = zeroStampOf(self);
  const selfStamp = () => storage.readVector().get(self) ?? zeroStampOf(self);

  /**
   * Our rows written since the last push, at most MAX_PUSH_ROWS; null when there are more (an
   * import), or too many rows of others to step over, or storage fails: rounds carry those instead.
   */
  function changedRows(floor: Hlc): SyncRow[] | null {
    const mine: SyncRow[] = [];
    let scanned = 0;
    let after: { version: Hlc; id: SyncRow['id'] } | null = null;
    for (;;) {
      const page = storage.pageAbove(floor, after, 256);
      for (const row of page) {
        const ours = SYNC_FIELDS.some((f) => row.hlc[f] > floor && deviceOfHlc(row.hlc[f]) === self);
        if (ours && mine.push(row) > MAX_PUSH_ROWS) return null;
        if (!ours && ++scanned > PUSH_SCAN_ROWS) return null;
      }
      if (page.length < 256) return mine;
      const last = page[page.length - 1]!;
      after = { version: versionOf(last), id: last.id };
    }
  }

  async function sendPushes() {
    let rows: SyncRow[] | null;
    const floor = pushedSelf;
    try {
      pushedSelf = selfStamp();
      rows = changedRows(floor);
    } catch {
      rows = null;
    }
    if (!rows) {
      for (const id of online) await startRound(id);
      return;
    }
    if (rows.length === 0) return;
    const payload = { rows: rows.map(toWireRow), since: floor };
    for (const id of online) {
      if (!channel.hasPeer(id)) continue;
      if (await channel.send('PUSH', id, payload)) emitRaw({ type: 'pushed', peerId: id, rows: rows.length });
    }
  }

  async function forwardNow() {
    try {
      pushedVector = vectorKey();
    } catch {
      pushedVector = '';
    }
    for (const id of online) await startRound(id);
  }

  let pushTimer: (() => void) | null = null;
  /** What the batch timer has waiting: our own writes (PUSH), rows a round brought (rounds). */
  const waiting = { local: false, forward: false };
  async function pushNow() {
    const { local, forward } = waiting;
    waiting.local = waiting.forward = false;
    if (stopped) return;
    if (local) await sendPushes();
    if (forward) await forwardNow();
  }
  function schedule(what: 'local' | 'forward') {
    if (stopped) return;
    waiting[what] = true;
    if (pushTimer) return;
    pushTimer = timers.set(() => {
      pushTimer = null;
      void enqueue(pushNow);
    }, pushDelayMs);
  }

  return {
    stats,
    get circle() {
      return circle;
    },
    get connected() {
      return transport.isOpen;
    },
    async start() {
      await channel.init();
      try {
        // Writes from before this start reach members by the catch-up rounds.
        pushedSelf = selfStamp();
      } catch {
        // Storage fault: the first push then falls back to rounds.
      }
      unsubscribers.push(
        transport.onMessage((frame) => void enqueue(async () => dispatch(await channel.open(frame)))),
        transport.onOpen(() => void enqueue(onOpen)),
        transport.onClose(() => void enqueue(onClose)),
      );
      emitRaw({ type: 'connecting' });
      transport.connect();
    },
    push: () => schedule('local'),
    flush() {
      if (!pushTimer) return enqueue(() => {});
      pushTimer();
      pushTimer = null;
      return enqueue(pushNow);
    },
    busy: () => pushTimer !== null || [...online].some((id) => rounds.isInRound(id)),
    syncNow() {
      void enqueue(async () => {
        for (const id of online) await startRound(id);
      });
    },
    adopt(next) {
      if (next.id !== circle.id || next.secret !== circle.secret || next.epoch !== circle.epoch)
        throw new Error('adopt takes the same circle only');
      const grew = next.members.length !== circle.members.length;
      circle = next;
      // The members online learn of the new one now, not at their next reconnect.
      if (grew)
        void enqueue(async () => {
          if (!stopped && transport.isOpen) await sendJoin(undefined, undefined, true);
        });
    },
    offer: (payload) =>
      enqueue(async () => {
        for (const id of online) if (channel.hasPeer(id)) await channel.send('CIRCLE', id, payload);
      }),
    stop: () =>
      enqueue(() => {
        if (stopped) return;
        stopped = true;
        for (const f of cancelRejoin.splice(0)) f();
        pushTimer?.();
        pushTimer = null;
        rounds.finishAll('stopped');
        for (const u of unsubscribers.splice(0)) u();
        transport.close();
      }),
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    async idle() {
      let seen: Promise<void> | null = null;
      while (seen !== chain) {
        seen = chain;
        await chain;
      }
    },
    online: () => [...online],
  };
}

/** FNV-1a over the parts, two 32-bit lanes, as 16 hex digits: a digest for equality, not a MAC. */
export function digest(parts: readonly string[]): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      const c = part.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x01000193) ^ (a >>> 13);
    }
    a = Math.imul(a ^ 0x1f, 0x01000193);
    b = Math.imul(b ^ 0x2f, 0x01000193);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}
