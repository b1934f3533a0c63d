/**
 * The sync engine: pairs devices through the relay and moves the rows each lacks, judged by version
 * vectors (docs/protocol.md). Pure TypeScript over ports; every inbound frame is handled one at a
 * time on a promise chain, so no two handlers interleave their storage work.
 */
import { deriveFrameKey, openFrame, sealFrame, type FrameKey } from '../crypto/frame-crypto';
import { MAX_CLOCK_DRIFT_MS, maxHlc, wallOfHlc, type Hlc } from '../model/hlc';
import type { DeviceId } from '../model/ids';
import type { SyncRow } from '../model/merge';
import { SYNC_FIELDS } from '../model/todo';
import {
  inboundFrameSchema,
  PONG_FRAME,
  PROTOCOL_VERSION,
  type DeviceMessageType,
} from '../protocol/envelope';
import { parsePayload, type PayloadOf, type WirePayloadOf } from '../protocol/messages';
import { fromWireRow } from '../protocol/wire-row';
import type { SyncEngine, SyncEngineOptions, SyncEvent, SyncStats } from './engine-types';
import { realTimers, type VersionVector } from './ports';
import { streamRows } from './stream-out';
import { devicesOf, vectorFromWire, vectorToWire } from './vector';

const MAX_RESEND_REQUESTS = 3;

interface Round {
  logId: number;
  sent: number;
  received: number;
  totalIn: number;
  totalOut: number;
  inDone: boolean;
  outDone: boolean;
  awaitingReply: boolean;
  refused: number;
  partialReason: string | null;
}

interface Inbound {
  stream: string;
  nextSeq: number;
  broken: boolean;
  /** Devices whose vector entries must not be adopted: a row carrying their stamps was refused. */
  refused: Set<DeviceId>;
}

interface Peer {
  id: DeviceId;
  name: string | null;
  round: Round | null;
  inbound: Inbound | null;
  /** REQUEST_SYNCs sent since the last stream from this peer completed; bounds retries under loss. */
  resendRequests: number;
  cancelSilence: (() => void) | null;
}

export function createSyncEngine(opts: SyncEngineOptions): SyncEngine {
  const { storage, transport, clock, deviceId: self, session } = opts;
  const isHost = session.hostId === self;
  const maxGuests = opts.maxGuests ?? 1;
  const now = opts.physicalNow ?? Date.now;
  const random = opts.random ?? Math.random;
  const timers = opts.timers ?? realTimers;
  const log = opts.log ?? (() => {});
  const silenceMs = opts.silenceTimeoutMs ?? 30_000;
  const connectMs = opts.connectTimeoutMs ?? 10_000;

  const listeners = new Set<(e: SyncEvent) => void>();
  const peers = new Map<DeviceId, Peer>();
  const admitted = new Set<DeviceId>();
  let guestAdmitted = false;
  let joinPending = false;
  let stopped = false;
  let key: FrameKey | null = null;
  let chain: Promise<void> = Promise.resolve();
  let cancelConnect: (() => void) | null = null;
  const unsubscribers: (() => void)[] = [];
  const stats: SyncStats = {
    framesSent: 0,
    bytesSent: 0,
    framesReceived: 0,
    bytesReceived: 0,
    framesDropped: 0,
    rowsRefused: 0,
  };

  const emit = (e: SyncEvent) => {
    for (const l of listeners) l(e);
  };
  const enqueue = (task: () => Promise<void> | void) => {
    chain = chain
      .then(task)
      .catch((e: unknown) =>
        log('error', `sync handler failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
      );
    return chain;
  };
  const drop = (why: string) => {
    stats.framesDropped++;
    log('warn', `dropped frame: ${why}`);
  };

  async function send<T extends DeviceMessageType>(
    type: T,
    to: DeviceId | undefined,
    payload: WirePayloadOf<T>,
  ): Promise<boolean> {
    if (!key || !transport.isOpen) return false;
    const env = await sealFrame(key, to ? { type, from: self, to } : { type, from: self }, payload);
    const frame = JSON.stringify(env);
    const ok = transport.send(frame);
    if (ok) {
      stats.framesSent++;
      stats.bytesSent += frame.length;
    }
    return ok;
  }

  function peerOf(id: DeviceId, name?: string): Peer {
    let p = peers.get(id);
    if (!p)
      peers.set(
        id,
        (p = { id, name: name ?? null, round: null, inbound: null, resendRequests: 0, cancelSilence: null }),
      );
    if (name !== undefined) p.name = name;
    return p;
  }
  const nameOf = (p: Peer) => p.name ?? 'the other device';
  const isAllowed = (id: DeviceId) => (isHost ? admitted.has(id) : id === session.hostId || guestAdmitted);

  function armSilence(p: Peer) {
    p.cancelSilence?.();
    p.cancelSilence = null;
    if (!p.round || silenceMs <= 0) return;
    p.cancelSilence = timers.set(() => {
      void enqueue(() => {
        if (!p.round) return;
        finishRound(
          p,
          'partial',
          `${nameOf(p)} stopped responding before the sync finished. Nothing was lost; sync again to finish.`,
        );
        emit({ type: 'error', code: 'peer-gone', message: `${nameOf(p)} stopped responding.`, peerId: p.id });
      });
    }, silenceMs);
  }

  function beginRound(p: Peer, inDone = false): Round {
    if (p.round) finishRound(p, 'partial', 'A new sync started before this one finished.');
    p.round = {
      logId: storage.beginLog({
        sessionId: session.sessionId,
        peerId: p.id,
        peerName: p.name,
        startedAt: now(),
      }),
      sent: 0,
      received: 0,
      totalIn: 0,
      totalOut: 0,
      inDone,
      outDone: false,
      awaitingReply: false,
      refused: 0,
      partialReason: null,
    };
    armSilence(p);
    return p.round;
  }

  function finishRound(p: Peer, status: 'success' | 'partial' | 'failed', reason: string | null) {
    const r = p.round;
    if (!r) return;
    p.round = null;
    p.cancelSilence?.();
    p.cancelSilence = null;
    const t = now();
    storage.finishLog(r.logId, { status, sent: r.sent, received: r.received, reason, completedAt: t });
    storage.rememberPeer(p.id, p.name, status === 'success' ? t : null, t);
    emit({ type: 'done', peerId: p.id, name: nameOf(p), sent: r.sent, received: r.received, status, reason });
  }

  function maybeFinish(p: Peer) {
    const r = p.round;
    if (r && r.inDone && r.outDone) finishRound(p, r.partialReason ? 'partial' : 'success', r.partialReason);
  }

  function progress(p: Peer) {
    const r = p.round;
    if (!r) return;
    const total = Math.max(r.totalIn + r.totalOut, 1);
    const done =
      (r.inDone ? r.totalIn : Math.min(r.received, r.totalIn)) +
      (r.outDone ? r.totalOut : Math.min(r.sent, r.totalOut));
    emit({
      type: 'syncing',
      peerId: p.id,
      name: nameOf(p),
      sent: r.sent,
      received: r.received,
      progress: Math.min(1, done / total),
    });
  }

  async function sendMetadata(p: Peer, reply: boolean) {
    const others = isHost ? [...admitted].filter((d) => d !== p.id) : [];
    let vector: VersionVector;
    let count: number;
    try {
      vector = storage.readVector();
      count = storage.countLive();
    } catch (e) {
      log('error', `reading sync metadata failed: ${e instanceof Error ? e.message : String(e)}`);
      finishRound(p, 'failed', 'This device could not read its todos. Nothing was changed; try again.');
      emit({
        type: 'error',
        code: 'storage',
        message: 'This device could not read its todos.',
        peerId: p.id,
      });
      return;
    }
    await send('METADATA_EXCHANGE', p.id, {
      name: opts.deviceName.slice(0, 100),
      vector: vectorToWire(vector),
      count,
      reply,
      peers: others,
    });
  }

  async function startRound(p: Peer) {
    const r = beginRound(p);
    r.awaitingReply = true;
    await sendMetadata(p, true);
  }

  async function streamTo(p: Peer, peerVector: VersionVector) {
    const r = p.round;
    if (!r) return;
    r.outDone = false;
    const out = await streamRows({
      storage,
      peerVector,
      streamId: randomId(),
      onTotal: (total) => {
        r.totalOut = total;
      },
      send: (type, payload) => send(type, p.id, payload),
      onBatchSent: (n) => {
        r.sent += n;
        progress(p);
      },
    });
    if (out.kind === 'fatal') {
      log('error', `stream to ${p.id} failed: ${out.reason}`);
      finishRound(
        p,
        'failed',
        'This device could not read its todos to send them. Nothing was changed; try again.',
      );
      emit({
        type: 'error',
        code: 'storage',
        message: 'This device could not read its todos to send them.',
        peerId: p.id,
      });
      return;
    }
    if (out.kind === 'retry') {
      log('warn', `stream to ${p.id} stopped: ${out.reason}`);
      finishRound(
        p,
        'partial',
        'The connection dropped while sending. Nothing was lost; sync again to finish.',
      );
      return;
    }
    r.outDone = true;
    maybeFinish(p);
  }

  const randomId = () =>
    Array.from({ length: 12 }, () => '0123456789abcdefghijklmnopqrstuvwxyz'[Math.floor(random() * 36)]).join(
      '',
    );

  async function requestResend(p: Peer) {
    p.resendRequests++;
    if (p.resendRequests > MAX_RESEND_REQUESTS) {
      finishRound(p, 'partial', 'Some data did not arrive. Nothing was lost; sync again to finish.');
      return;
    }
    if (!p.round) beginRound(p);
    await send('REQUEST_SYNC', p.id, { vector: vectorToWire(storage.readVector()) });
  }

  /** A stamp this far ahead of our clock is not trusted: the whole row waits until time catches up. */
  function splitByDrift(rows: SyncRow[]): { accepted: SyncRow[]; refused: SyncRow[]; maxStamp: Hlc | null } {
    const limit = now() + MAX_CLOCK_DRIFT_MS;
    const accepted: SyncRow[] = [];
    const refused: SyncRow[] = [];
    let maxStamp: Hlc | null = null;
    for (const row of rows) {
      if (SYNC_FIELDS.some((f) => wallOfHlc(row.hlc[f]) > limit)) {
        refused.push(row);
        continue;
      }
      accepted.push(row);
      for (const f of SYNC_FIELDS) maxStamp = maxStamp ? maxHlc(maxStamp, row.hlc[f]) : row.hlc[f];
    }
    return { accepted, refused, maxStamp };
  }

  async function onBatch(
    p: Peer,
    msg: PayloadOf<'SYNC_DATA'> & { vector?: PayloadOf<'SYNC_COMPLETE'>['vector'] },
    complete: boolean,
  ) {
    let inb = p.inbound;
    if (msg.seq === 0 && (!inb || inb.stream !== msg.stream))
      p.inbound = inb = { stream: msg.stream, nextSeq: 0, broken: false, refused: new Set() };
    if (!inb || inb.stream !== msg.stream || inb.broken)
      return log('debug', `ignoring a batch of an abandoned stream from ${p.id}`);
    if (msg.seq !== inb.nextSeq) {
      inb.broken = true;
      log('warn', `stream from ${p.id} has a gap (expected ${inb.nextSeq}, got ${msg.seq}); asking again`);
      return requestResend(p);
    }
    inb.nextSeq++;
    const r = p.round ?? beginRound(p);
    const { accepted, refused, maxStamp } = splitByDrift(msg.rows.map(fromWireRow));
    for (const row of refused) for (const d of devicesOf(row)) inb.refused.add(d);
    try {
      storage.applyRows(
        accepted,
        complete && msg.vector ? { vector: vectorFromWire(msg.vector), exclude: inb.refused } : undefined,
      );
    } catch (e) {
      log('error', `applying a batch failed: ${e instanceof Error ? e.message : String(e)}`);
      p.inbound = null;
      finishRound(
        p,
        'failed',
        'This device could not save the incoming todos. Nothing was changed; try again.',
      );
      emit({
        type: 'error',
        code: 'storage',
        message: 'This device could not save the incoming todos.',
        peerId: p.id,
      });
      return;
    }
    if (maxStamp) clock.receive(maxStamp);
    stats.rowsRefused += refused.length;
    r.received += accepted.length;
    r.totalIn = Math.max(msg.total, r.received);
    if (refused.length) {
      r.refused += refused.length;
      r.partialReason = `${r.refused} changes were held back because a device's clock is far ahead; they will sync once it is corrected.`;
    }
    if (complete) {
      p.inbound = null;
      p.resendRequests = 0;
      r.inDone = true;
    }
    progress(p);
    maybeFinish(p);
  }

  async function onEnvelope<T extends DeviceMessageType>(
    type: T,
    from: DeviceId,
    payload: PayloadOf<T>,
    addressed: boolean,
  ) {
    if (type === 'JOIN') {
      const m = payload as PayloadOf<'JOIN'>;
      if (!isHost) {
        // The host announces itself (a broadcast JOIN) when its socket opens. A guest whose own JOIN
        // went out before that reached nobody, so it asks again, addressed to the host.
        if (from === session.hostId && joinPending)
          await send('JOIN', from, { name: opts.deviceName.slice(0, 100) });
        return;
      }
      // That answer crosses our opener when both sockets opened at once: the opener is already on
      // its way over the same sockets, so a second round would only supersede the first.
      if (addressed && admitted.has(from) && peers.get(from)?.round)
        return log('debug', `${from} asked again; its round is already open`);
      if (!admitted.has(from)) {
        if (now() > session.expiresAt) {
          await send('ERROR', from, { code: 'LINK_EXPIRED', message: 'This pairing link has expired.' });
          return;
        }
        if (admitted.size >= maxGuests) {
          await send('ERROR', from, { code: 'LINK_USED', message: 'This pairing link was already used.' });
          return;
        }
        admitted.add(from);
      }
      const p = peerOf(from, m.name);
      emit({ type: 'peer-joined', peerId: from, name: m.name });
      await startRound(p);
      return;
    }
    if (type === 'ERROR') {
      const m = payload as PayloadOf<'ERROR'>;
      log('warn', `device ${from} reports ${m.code}: ${m.message}`);
      if (!isHost && from === session.hostId && (m.code === 'LINK_USED' || m.code === 'LINK_EXPIRED')) {
        emit(
          m.code === 'LINK_USED'
            ? {
                type: 'error',
                code: 'link-used',
                message:
                  'This pairing link was already used by another device. Show a new link on the other device and try again.',
              }
            : {
                type: 'error',
                code: 'link-expired',
                message: 'This pairing link has expired. Show a new link on the other device and try again.',
              },
        );
        await shutdown('The pairing link could not be used.');
      }
      return;
    }
    if (type === 'METADATA_EXCHANGE' && !isHost && from === session.hostId) guestAdmitted = true;
    if (!isAllowed(from)) return log('debug', `ignoring ${type} from a device this session has not admitted`);
    const p = peerOf(
      from,
      type === 'METADATA_EXCHANGE' ? (payload as PayloadOf<'METADATA_EXCHANGE'>).name : undefined,
    );
    if (p.round) armSilence(p);

    switch (type) {
      case 'METADATA_EXCHANGE': {
        const m = payload as PayloadOf<'METADATA_EXCHANGE'>;
        let r = p.round;
        if (m.reply && !r?.awaitingReply) {
          r = beginRound(p);
          await sendMetadata(p, false);
        } else if (!r) {
          // A reply to a round we already closed (superseded, timed out): answer it with data only,
          // never with metadata, or two devices would keep re-opening rounds with each other.
          r = beginRound(p, true);
        }
        // When both sides open a round at once, each treats the other's opener as the reply.
        r.awaitingReply = false;
        if (!isHost && from === session.hostId && joinPending) {
          joinPending = false;
          emit({ type: 'peer-joined', peerId: from, name: m.name });
        }
        await streamTo(p, vectorFromWire(m.vector));
        if (!isHost && from === session.hostId) {
          for (const other of m.peers as DeviceId[])
            if (other !== self && !peers.get(other)?.round) await startRound(peerOf(other));
        }
        return;
      }
      case 'REQUEST_SYNC': {
        if (!p.round) beginRound(p, true);
        await streamTo(p, vectorFromWire((payload as PayloadOf<'REQUEST_SYNC'>).vector));
        return;
      }
      case 'SYNC_DATA':
        return onBatch(p, payload as PayloadOf<'SYNC_DATA'>, false);
      case 'SYNC_COMPLETE':
        return onBatch(p, payload as PayloadOf<'SYNC_COMPLETE'>, true);
    }
  }

  async function onFrame(frame: string) {
    stats.framesReceived++;
    stats.bytesReceived += frame.length;
    if (frame === PONG_FRAME) return;
    let json: unknown;
    try {
      json = JSON.parse(frame);
    } catch {
      return drop('not JSON');
    }
    const parsed = inboundFrameSchema.safeParse(json);
    if (!parsed.success) return drop('not a valid frame');
    const f = parsed.data;
    if ('device' in f) return onPeerLeft(f.device as DeviceId);
    if ('code' in f) return onRelayError(f.code, f.message);
    if (!('ct' in f)) return drop('unexpected frame');
    if (f.from === self || (f.to !== undefined && f.to !== self)) return;
    if (f.v !== PROTOCOL_VERSION) return drop(`protocol version ${f.v}`);
    if (!key) return drop('no key yet');
    const opened = await openFrame(key, f);
    if (!opened.ok) return drop(`${f.type} from ${f.from}: ${opened.reason}`);
    const payload = parsePayload(f.type, opened.payload);
    if (!payload.ok) return drop(payload.reason);
    await onEnvelope(f.type, f.from as DeviceId, payload.value, f.to !== undefined);
  }

  function onPeerLeft(id: DeviceId) {
    const p = peers.get(id);
    if (!p) return;
    p.inbound = null;
    if (p.round) {
      finishRound(
        p,
        'partial',
        `${nameOf(p)} left before the sync finished. Nothing was lost; sync again to finish.`,
      );
      emit({
        type: 'error',
        code: 'peer-gone',
        message: `${nameOf(p)} left before the sync finished.`,
        peerId: id,
      });
    }
  }

  async function onRelayError(code: string, message: string) {
    log('warn', `relay error ${code}: ${message}`);
    if (code === 'SESSION_FULL') {
      emit({
        type: 'error',
        code: 'session-full',
        message: 'This pairing session already has as many devices as it allows.',
      });
      await shutdown('The session is full.');
    } else if (code === 'SESSION_EXPIRED') {
      emit({
        type: 'error',
        code: 'session-expired',
        message: 'This pairing session has ended. Pair again to sync.',
      });
      await shutdown('The session ended.');
    }
  }

  async function onOpen() {
    cancelConnect?.();
    cancelConnect = null;
    if (stopped) return;
    emit({ type: 'waiting' });
    if (isHost) {
      // "I am here": a guest that connected first answers with its JOIN (guests ignore it otherwise).
      await send('JOIN', undefined, { name: opts.deviceName.slice(0, 100) });
      for (const id of admitted) await startRound(peerOf(id));
    } else {
      joinPending = true;
      await send('JOIN', undefined, { name: opts.deviceName.slice(0, 100) });
    }
  }

  function onClose() {
    if (stopped) return;
    let interrupted = false;
    for (const p of peers.values()) {
      p.inbound = null;
      if (!p.round) continue;
      interrupted = true;
      finishRound(
        p,
        'partial',
        'The connection to the relay was lost. Nothing was lost; sync again to finish.',
      );
    }
    if (interrupted) {
      emit({
        type: 'error',
        code: 'connection-lost',
        message: 'The connection to the relay was lost during the sync. Reconnecting…',
      });
    }
    emit({ type: 'connecting' });
  }

  async function shutdown(reason: string) {
    if (stopped) return;
    stopped = true;
    cancelConnect?.();
    for (const p of peers.values()) finishRound(p, 'partial', reason);
    for (const u of unsubscribers.splice(0)) u();
    transport.close();
  }

  return {
    stats,
    async start() {
      key = await deriveFrameKey(session.sessionKey, session.sessionId);
      unsubscribers.push(
        transport.onMessage((frame) => void enqueue(() => onFrame(frame))),
        transport.onOpen(() => void enqueue(onOpen)),
        transport.onClose(() => void enqueue(onClose)),
      );
      emit({ type: 'connecting' });
      if (connectMs > 0) {
        cancelConnect = timers.set(() => {
          void enqueue(async () => {
            if (transport.isOpen || stopped) return;
            emit({
              type: 'error',
              code: 'relay-unreachable',
              message:
                'Could not reach the sync relay. Check the connection (or the relay address in Settings) and try again.',
            });
            await shutdown('The relay could not be reached.');
          });
        }, connectMs);
      }
      transport.connect();
    },
    sync: () =>
      enqueue(async () => {
        if (!isHost && !guestAdmitted) {
          // Our JOIN (or the host's answer) was lost: ask again rather than wait forever.
          joinPending = true;
          await send('JOIN', undefined, { name: opts.deviceName.slice(0, 100) });
          return;
        }
        for (const p of peers.values()) if (isAllowed(p.id)) await startRound(p);
      }),
    stop: () => enqueue(() => shutdown('Sync was stopped.')),
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
    peers: () => [...peers.values()].map((p) => ({ id: p.id, name: p.name, syncing: p.round !== null })),
  };
}
