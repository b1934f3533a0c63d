/**
 * The sync engine for one pairing session: wires the three concerns of lib/sync together.
 * - who may talk: admission.ts (the link, the host's decisions, vouched peers);
 * - how frames travel: channel.ts (link and pair keys, counters, held frames);
 * - what to send: rounds.ts (vectors, streams, acknowledgements).
 * Pure TypeScript over ports; every inbound frame is handled one at a time on a promise chain.
 * docs/protocol.md describes the messages and their order.
 */
import { createPairingAdmission, type KnownPeer } from './admission';
import { createChannel, type Opened } from './channel';
import type { DeviceId } from '../model/ids';
import { DEVICE_NAME_MAX, type DeviceMessage } from '../protocol/messages';
import type {
  EngineErrorCode,
  RoundReason,
  SyncEngine,
  SyncEngineOptions,
  SyncEvent,
  SyncStats,
} from './engine-types';
import { versionErrorCode } from './engine-types';
import { PROTOCOL_VERSION } from '../protocol/envelope';
import { realTimers } from './ports';
import { createRounds } from './rounds';

export function createSyncEngine(opts: SyncEngineOptions): SyncEngine {
  const { storage, transport, clock, deviceId: self, session } = opts;
  const now = opts.physicalNow ?? Date.now;
  const timers = opts.timers ?? realTimers;
  const log = opts.log ?? (() => {});
  const connectMs = opts.connectTimeoutMs ?? 10_000;
  const name = opts.deviceName.slice(0, DEVICE_NAME_MAX);

  const listeners = new Set<(e: SyncEvent) => void>();
  const stats: SyncStats = {
    framesSent: 0,
    bytesSent: 0,
    framesReceived: 0,
    bytesReceived: 0,
    framesDropped: 0,
    rowsRefused: 0,
    framesHeld: 0,
  };
  const emit = (e: SyncEvent) => {
    for (const l of listeners) l(e);
  };

  const channel = createChannel({
    transport,
    self,
    identity: opts.identity,
    sessionId: session.sessionId,
    sessionKey: session.sessionKey,
    stats,
    log,
  });
  const admission = createPairingAdmission({
    self,
    hostId: session.hostId,
    maxGuests: opts.maxGuests ?? 1,
    expiresAt: session.expiresAt,
    nonce: channel.selfParty.nonce,
  });
  const isHost = admission.isHost;
  /** Host: guests owed a fresh round (and METADATA vouching for a newcomer) when their round ends. */
  const revouch = new Set<DeviceId>();
  const rounds = createRounds({
    storage,
    clock,
    self,
    sessionId: session.sessionId,
    send: (type, to, payload) => channel.send(type, to, payload),
    metadataFor: (peer) => ({ name, peers: admission.vouchesFor(peer) }),
    emit: (e) => {
      emit(e);
      // Host: a guest that was mid-round when another joined hears of it in a round of its own.
      if (e.type === 'done' && revouch.delete(e.peerId) && e.status !== 'failed')
        void enqueue(async () => {
          if (!stopped && !rounds.isInRound(e.peerId)) await rounds.startRound(rounds.peerOf(e.peerId));
        });
    },
    log,
    now,
    random: opts.random ?? Math.random,
    timers,
    silenceMs: opts.silenceTimeoutMs ?? 30_000,
    stats,
    enqueue: (task) => void enqueue(task),
  });

  /** Guest: the host has answered under our pair key, so data may flow. */
  let admitted = false;
  /** Frames held per sender whose key we lack: we answer some of them with our JOIN. */
  const greeted = new Map<DeviceId, number>();
  /** Devices already reported as speaking another protocol version. */
  const versionWarned = new Set<DeviceId>();
  let stopped = false;
  let chain: Promise<void> = Promise.resolve();
  const unsubscribers: (() => void)[] = [];

  const enqueue = (task: () => Promise<void> | void) => {
    chain = chain
      .then(task)
      .catch((e: unknown) =>
        log('error', `sync handler failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
      );
    return chain;
  };

  /** Our JOIN; `echo` is the nonce of the JOIN it answers (a guest: the host's it knows). */
  const join = (echo?: string) => ({
    name,
    keys: opts.identity.public,
    nonce: channel.selfParty.nonce,
    ...(echo ? { echo } : {}),
  });
  const hostNonce = () => admission.get(session.hostId)?.party.nonce;

  /** Derives the pair key for a peer admission accepted, then handles what it sent before we knew it. */
  async function keyPeer(p: KnownPeer): Promise<boolean> {
    if (!(await channel.setPeer(p.party))) {
      log('warn', `unusable identity key from ${p.party.id}`);
      return false;
    }
    rounds.peerOf(p.party.id as DeviceId, p.name);
    greeted.delete(p.party.id as DeviceId);
    for (const frame of channel.takeHeld(p.party.id as DeviceId)) await dispatch(await channel.open(frame));
    return true;
  }

  async function onJoin(from: DeviceId, msg: DeviceMessage & { type: 'JOIN' }) {
    const decision = admission.onJoin(from, msg.payload, now());
    switch (decision.kind) {
      case 'ignore':
        return log('debug', `JOIN from ${from} ignored: ${decision.why}`);
      case 'refuse':
        return void (await channel.send('ERROR', from, { code: decision.code }));
      case 'challenge':
        // Not proven live (a first broadcast, a restart, or a replay): answer with ours, echoing it.
        return void (await channel.send('JOIN', from, join(decision.nonce)));
      case 'same':
        if (!isHost) {
          // The host asks us to prove we are live (it missed our answer, or holds a stale nonce
          // of ours): answer again, echoing it.
          await channel.send('JOIN', from, join(msg.payload.nonce));
          return;
        }
        // An admitted guest again (its sync, a reconnect, a crossing answer). Same socket order:
        // our JOIN, if it needs one, reaches it before the round's opener.
        if (!decision.live) await channel.send('JOIN', from, join(msg.payload.nonce));
        if (!rounds.isInRound(from)) await rounds.startRound(rounds.peerOf(from));
        return;
      case 'accept': {
        if (!(await keyPeer(decision.peer))) return;
        if (!isHost) {
          // Answer, echoing the host's nonce: the host admits only a JOIN that proves we hear it.
          await channel.send('JOIN', from, join(msg.payload.nonce));
          return;
        }
        emit({ type: 'peer-joined', peerId: from, name: decision.peer.name });
        // The guest joins our circle: it gets the circle before the round, on the same socket.
        const circle = await opts.circle?.offerTo({
          id: from,
          keys: decision.peer.party.keys,
          name: decision.peer.name,
        });
        if (circle) await channel.send('CIRCLE', from, circle);
        await rounds.startRound(rounds.peerOf(from));
        // Every other guest learns the newcomer (or its new nonce, after a restart) through a
        // fresh round, whose METADATA vouches for it.
        // One mid-round now gets that round when its current one ends: its METADATA went out before
        // the newcomer was admitted, so it would never hear of it (3-device sessions half-listed).
        for (const other of admission.peers()) {
          const id = other.party.id as DeviceId;
          if (id === from) continue;
          if (rounds.isInRound(id)) revouch.add(id);
          else await rounds.startRound(rounds.peerOf(id));
        }
        return;
      }
    }
  }

  async function onLinkError(from: DeviceId, code: string) {
    if (isHost || from !== session.hostId) return;
    const map: Record<string, EngineErrorCode> = {
      LINK_USED: 'link-used',
      LINK_EXPIRED: 'link-expired',
      LINK_CANCELLED: 'link-cancelled',
    };
    const mapped = map[code];
    if (!mapped) return;
    // A refusal means something only before the host let us in; afterwards, cancel is still news.
    if (admitted && code !== 'LINK_CANCELLED') return;
    emit({ type: 'error', code: mapped });
    await shutdown('stopped');
  }

  async function dispatch(o: Opened) {
    switch (o.kind) {
      case 'ignored':
        return;
      case 'held': {
        if (o.kept) stats.framesHeld++;
        // A device talks to us under a key we do not share: one of us restarted (a new nonce) and
        // the other did not hear its JOIN. Say who we are; the answering JOIN re-keys the pair.
        // On the 1st, 2nd, 4th, 8th… such frame from it: robust to a lost JOIN, bounded in cost.
        const n = (greeted.get(o.from) ?? 0) + 1;
        if (greeted.size < 64 || greeted.has(o.from)) greeted.set(o.from, n);
        const mayJoin = isHost || o.from === session.hostId;
        if (mayJoin && (n & (n - 1)) === 0)
          await channel.send('JOIN', o.from, join(admission.get(o.from)?.party.nonce));
        return;
      }
      case 'dropped':
        return;
      case 'version':
        // Once per device: it will say JOIN again, and the frame's `v` is the relay's word only.
        if (versionWarned.size < 64 && !versionWarned.has(o.from)) {
          versionWarned.add(o.from);
          emit({ type: 'error', code: versionErrorCode(o.v, PROTOCOL_VERSION), peerId: o.from });
        }
        return;
      case 'peer-left':
        // Relay-made and unauthenticated: it may only end a round early (the next one resumes).
        return rounds.onPeerLeft(o.id);
      case 'relay-error':
        return onRelayError(o.code);
      case 'message':
        break;
    }
    const { msg, viaLink } = o;
    if (msg.type === 'JOIN') return onJoin(msg.from, msg);
    if (msg.type === 'ERROR' && viaLink) return onLinkError(msg.from, msg.payload.code);
    // Everything below opened under a pair key, which channel derives only for admitted peers.
    const peer = admission.get(msg.from);
    if (!peer) return log('debug', `${msg.type} from a device this session has not admitted`);
    if (msg.type === 'CIRCLE') {
      if (peer.role === 'host') await opts.circle?.onOffer(msg.from, msg.payload);
      return;
    }
    // Live pushes belong to circle rooms; a pairing session syncs by rounds only.
    if (msg.type === 'PUSH') return log('debug', `PUSH from ${msg.from} outside a circle room`);
    if (msg.type === 'METADATA_EXCHANGE' && peer.role === 'host') {
      if (!admitted) {
        admitted = true;
        cancelWaiting();
        emit({ type: 'peer-joined', peerId: msg.from, name: msg.payload.name });
      }
      for (const v of admission.onVouch(msg.from, msg.payload.peers)) {
        if (!(await keyPeer(v))) continue;
        if (!rounds.isInRound(v.party.id as DeviceId))
          await rounds.startRound(rounds.peerOf(v.party.id as DeviceId));
      }
    }
    return rounds.onMessage(msg.from, msg as Parameters<typeof rounds.onMessage>[1]);
  }

  async function onRelayError(code: string) {
    log('warn', `relay error ${code}`);
    if (code === 'SESSION_FULL') {
      emit({ type: 'error', code: 'session-full' });
      await shutdown('stopped');
    } else if (code === 'SESSION_EXPIRED') {
      emit({ type: 'error', code: 'session-expired' });
      await shutdown('stopped');
    }
  }

  let cancelWaitingTimer: (() => void) | null = null;
  function cancelWaiting() {
    cancelWaitingTimer?.();
    cancelWaitingTimer = null;
  }

  async function onOpen() {
    cancelConnect?.();
    cancelConnect = null;
    if (stopped) return;
    emit({ type: 'waiting' });
    // "I am here": a device that connected first answers with its own JOIN, addressed to us.
    await channel.send('JOIN', undefined, join(isHost ? undefined : hostNonce()));
    if (isHost)
      for (const p of admission.peers()) await rounds.startRound(rounds.peerOf(p.party.id as DeviceId));
  }

  function onClose() {
    if (stopped) return;
    if (rounds.onDisconnect()) emit({ type: 'error', code: 'connection-lost' });
    emit({ type: 'connecting' });
  }

  let cancelConnect: (() => void) | null = null;

  async function shutdown(reason: RoundReason) {
    if (stopped) return;
    // A host that stops tells waiting guests at once, rather than let them wait for the link's expiry.
    if (isHost && transport.isOpen) await channel.send('ERROR', undefined, { code: 'LINK_CANCELLED' });
    stopped = true;
    cancelConnect?.();
    cancelWaiting();
    rounds.finishAll(reason);
    for (const u of unsubscribers.splice(0)) u();
    transport.close();
  }

  return {
    stats,
    async start() {
      await channel.init();
      unsubscribers.push(
        transport.onMessage((frame) => void enqueue(async () => dispatch(await channel.open(frame)))),
        transport.onOpen(() => void enqueue(onOpen)),
        transport.onClose(() => void enqueue(onClose)),
      );
      emit({ type: 'connecting' });
      if (connectMs > 0) {
        cancelConnect = timers.set(() => {
          void enqueue(async () => {
            if (transport.isOpen || stopped) return;
            emit({ type: 'error', code: 'relay-unreachable' });
            await shutdown('stopped');
          });
        }, connectMs);
      }
      // A guest waits for its host at most until the link expires: gone, cancelled or never there.
      if (!isHost) {
        cancelWaitingTimer = timers.set(
          () =>
            void enqueue(async () => {
              if (admitted || stopped) return;
              emit({ type: 'error', code: 'host-unavailable' });
              await shutdown('stopped');
            }),
          Math.max(0, session.expiresAt - now()),
        );
      }
      transport.connect();
    },
    sync: () =>
      enqueue(async () => {
        if (!isHost && !admitted) {
          // Our JOIN (or the host's answer) was lost: ask again rather than wait. (A host that
          // restarted since it admitted us greets us when it holds a frame of ours.)
          await channel.send('JOIN', undefined, join(hostNonce()));
          return;
        }
        for (const p of admission.peers()) await rounds.startRound(rounds.peerOf(p.party.id as DeviceId));
      }),
    stop: () => enqueue(() => shutdown('stopped')),
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
    peers: () => rounds.all().map((p) => ({ id: p.id, name: p.name, syncing: p.round !== null })),
  };
}
