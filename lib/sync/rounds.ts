/**
 * What to send: sync rounds with each peer, judged by version vectors (docs/protocol.md "Rounds").
 * Knows nothing of links, keys or sockets: it is handed authenticated messages from peers the
 * admission layer allowed, and a `send` that seals them. Every call runs on the engine's one
 * promise chain, so no two handlers interleave their storage work.
 *
 * A round with a peer is a `success` only when both halves are confirmed: we applied the peer's
 * whole stream, and the peer acknowledged (SYNC_ACK) applying ours with nothing held back.
 */
import { deviceOfHlc, MAX_CLOCK_DRIFT_MS, maxHlc, wallAfter, type HybridClock, type Hlc } from '../model/hlc';
import type { DeviceId, SessionId } from '../model/ids';
import type { SyncRow } from '../model/merge';
import { SYNC_FIELDS } from '../model/todo';
import type { DeviceMessageType } from '../protocol/envelope';
import type { PayloadOf, WirePayloadOf } from '../protocol/messages';
import { fromWireRow, type SerializedPayload } from '../protocol/wire-row';
import { contextStamps } from '../model/causal-extras';
import type { RoundReason, SyncEvent } from './engine-types';
import type { SyncStorage, Timers, VersionVector } from './ports';
import { streamRows } from './stream-out';
import { devicesOf, vectorFromWire, vectorToWire, zeroStampOf } from './vector';

const MAX_RESEND_REQUESTS = 3;
/**
 * A stream's rows are written in transactions of about this many, not one per batch. Every commit
 * writes each page its rows touched (the last pages of every index, again and again) with its journal,
 * and flushes: a first sync of 100,000 in 117 commits (one per batch) spent more time writing and
 * flushing OPFS than inserting. One transaction for all would write 17 % less but show nothing until
 * the end, and measured slower (4.5 s against 2.8 s in Chromium: no write overlaps the transfer).
 * The vector moves only with the stream's last write, so rows not written are sent again by the next
 * round.
 */
export const APPLY_ROWS = 10_000;
/**
 * Rows that arrived are written anyway once their stream has been quiet this long, and at once when
 * it is abandoned (the peer left, our socket closed, a gap, a newer stream): a slow or broken stream
 * keeps what came, and an open list shows it (the workers announce every write, at most once per
 * `changeIntervalMs`, the last one late rather than never).
 */
export const LINGER_MS = 400;

interface Round {
  logId: number;
  sent: number;
  received: number;
  totalIn: number;
  totalOut: number;
  inDone: boolean;
  /** Our stream is out and the peer has acknowledged it. */
  outDone: boolean;
  /** The stream we sent and now wait to hear SYNC_ACK for. */
  awaitingAck: string | null;
  awaitingReply: boolean;
  partial: RoundReason | null;
  /** The vector the peer told us for this round (what it held as the round began). */
  peerVector: VersionVector | null;
}

interface Inbound {
  stream: string;
  nextSeq: number;
  broken: boolean;
  applied: number;
  /** Devices whose vector entries must not be adopted: a row carrying their stamps was refused. */
  refused: Set<DeviceId>;
  /** Per device, the greatest stamp of it in this stream's accepted rows. */
  seen: Map<DeviceId, Hlc>;
  held: number;
  /** Accepted rows not written yet (see APPLY_ROWS), and the greatest stamp among them. */
  staged: SyncRow[];
  stagedMax: Hlc | null;
  cancelLinger: (() => void) | null;
}

interface Peer {
  id: DeviceId;
  name: string | null;
  round: Round | null;
  inbound: Inbound | null;
  resendRequests: number;
  cancelSilence: (() => void) | null;
}

export interface RoundsDeps {
  storage: SyncStorage;
  clock: HybridClock;
  self: DeviceId;
  sessionId: SessionId;
  send<T extends DeviceMessageType>(
    type: T,
    to: DeviceId,
    payload: WirePayloadOf<T> | SerializedPayload<T>,
  ): Promise<boolean>;
  /** What METADATA_EXCHANGE says besides the vector: our name and (host) the vouched peers. */
  metadataFor(peer: DeviceId): Pick<WirePayloadOf<'METADATA_EXCHANGE'>, 'name' | 'peers'>;
  emit(e: SyncEvent): void;
  log(level: 'debug' | 'warn' | 'error', message: string): void;
  now(): number;
  random(): number;
  timers: Timers;
  silenceMs: number;
  stats: { rowsRefused: number };
  /** Queues a task on the engine's one chain (for the silence and linger timers, which fire outside it). */
  enqueue(task: () => Promise<void> | void): void;
}

export function createRounds(d: RoundsDeps) {
  const { storage } = d;
  const peers = new Map<DeviceId, Peer>();

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

  function armSilence(p: Peer) {
    p.cancelSilence?.();
    p.cancelSilence = null;
    if (!p.round || d.silenceMs <= 0) return;
    p.cancelSilence = d.timers.set(() => d.enqueue(() => onSilence(p)), d.silenceMs);
  }

  function onSilence(p: Peer) {
    if (!p.round) return;
    finishRound(p, 'partial', 'peer-silent');
    d.emit({ type: 'error', code: 'peer-silent', peerId: p.id });
  }

  function beginRound(p: Peer, inDone = false): Round {
    if (p.round) finishRound(p, 'partial', 'superseded');
    p.round = {
      logId: storage.beginLog({ sessionId: d.sessionId, peerId: p.id, peerName: p.name, startedAt: d.now() }),
      sent: 0,
      received: 0,
      totalIn: 0,
      totalOut: 0,
      inDone,
      outDone: false,
      awaitingAck: null,
      awaitingReply: false,
      partial: null,
      peerVector: null,
    };
    armSilence(p);
    return p.round;
  }

  function finishRound(p: Peer, status: 'success' | 'partial' | 'failed', reason: RoundReason | null) {
    const r = p.round;
    if (!r) return;
    p.round = null;
    p.cancelSilence?.();
    p.cancelSilence = null;
    const t = d.now();
    storage.finishLog(r.logId, { status, sent: r.sent, received: r.received, reason, completedAt: t });
    storage.rememberPeer(p.id, p.name, status === 'success' ? t : null, t);
    d.emit({
      type: 'done',
      peerId: p.id,
      name: nameOf(p),
      sent: r.sent,
      received: r.received,
      status,
      reason,
      ...(r.peerVector ? { vector: r.peerVector } : {}),
    });
  }

  function maybeFinish(p: Peer) {
    const r = p.round;
    if (r && r.inDone && r.outDone) finishRound(p, r.partial ? 'partial' : 'success', r.partial);
  }

  function progress(p: Peer) {
    const r = p.round;
    if (!r) return;
    const total = Math.max(r.totalIn + r.totalOut, 1);
    // Rows that arrived count, written (`r.received`) or waiting for their write (APPLY_ROWS).
    const arrived = r.received + (p.inbound?.staged.length ?? 0);
    const done =
      (r.inDone ? r.totalIn : Math.min(arrived, r.totalIn)) +
      (r.outDone ? r.totalOut : Math.min(r.sent, r.totalOut));
    d.emit({
      type: 'syncing',
      peerId: p.id,
      name: nameOf(p),
      sent: r.sent,
      received: arrived,
      written: r.received,
      progress: Math.min(1, done / total),
    });
  }

  function storageFault(p: Peer, code: 'read-failed' | 'write-failed', e: unknown) {
    d.log('error', `${code}: ${e instanceof Error ? e.message : String(e)}`);
    finishRound(p, 'failed', code);
    d.emit({ type: 'error', code: 'storage', peerId: p.id });
  }

  async function sendMetadata(p: Peer, reply: boolean) {
    let vector: VersionVector;
    try {
      vector = storage.readVector();
    } catch (e) {
      return storageFault(p, 'read-failed', e);
    }
    await d.send('METADATA_EXCHANGE', p.id, { ...d.metadataFor(p.id), vector: vectorToWire(vector), reply });
  }

  async function startRound(p: Peer) {
    const r = beginRound(p);
    r.awaitingReply = true;
    await sendMetadata(p, true);
  }

  const randomId = () =>
    Array.from(
      { length: 12 },
      () => '0123456789abcdefghijklmnopqrstuvwxyz'[Math.floor(d.random() * 36)],
    ).join('');

  /**
   * Our own entry in a peer's vector ahead of everything we wrote means our history and the peer's
   * copy of it differ (an old backup restored, a copied profile): the peer would skip writes of ours
   * it thinks it has. Reported, so the device relabels its writes under a new id (device.ts
   * openDeviceId), which no peer's vector covers. Not sent here under the old id: a peer that got
   * them now would keep the old-id copy of each and skip the relabelled one as already held.
   */
  function selfShadowed(peerVector: VersionVector): boolean {
    const theirs = peerVector.get(d.self);
    if (!theirs) return false;
    const mine = storage.readVector().get(d.self);
    return !mine || theirs > mine;
  }

  async function streamTo(p: Peer, peerVector: VersionVector) {
    const r = p.round;
    if (!r) return;
    r.outDone = false;
    r.peerVector = peerVector;
    if (selfShadowed(peerVector)) {
      d.log('warn', `${p.id} holds writes of this device id that this device does not`);
      d.emit({ type: 'self-shadowed', peerId: p.id });
    }
    const stream = randomId();
    const out = await streamRows({
      storage,
      peerVector,
      streamId: stream,
      onTotal: (total) => {
        r.totalOut = total;
      },
      send: (type, payload) => d.send(type, p.id, payload),
      onBatchSent: (n) => {
        r.sent += n;
        progress(p);
      },
    });
    if (out.kind === 'fatal') return storageFault(p, 'read-failed', out.reason);
    if (out.kind === 'retry') {
      d.log('warn', `stream to ${p.id} stopped: ${out.reason}`);
      return finishRound(p, 'partial', 'send-interrupted');
    }
    if (p.round === r) r.awaitingAck = stream;
  }

  async function requestResend(p: Peer) {
    p.resendRequests++;
    if (p.resendRequests > MAX_RESEND_REQUESTS) return finishRound(p, 'partial', 'data-missing');
    if (!p.round) beginRound(p);
    await d.send('REQUEST_SYNC', p.id, { vector: vectorToWire(storage.readVector()) });
  }

  /**
   * A stamp this far ahead of our clock is not trusted: the whole row waits until time catches up.
   * The stamps of its causal contexts (`x`) count too: a `seen` entry from far ahead would be joined
   * into every copy of the todo and hide that device's later writes from conflict detection.
   */
  function splitByDrift(rows: SyncRow[]): { accepted: SyncRow[]; refused: SyncRow[]; maxStamp: Hlc | null } {
    const ahead = wallAfter(d.now() + MAX_CLOCK_DRIFT_MS);
    const accepted: SyncRow[] = [];
    const refused: SyncRow[] = [];
    let maxStamp: Hlc | null = null;
    for (const row of rows) {
      let top: Hlc | null = null;
      for (const f of SYNC_FIELDS) {
        const s = row.hlc[f];
        if (top === null || s > top) top = s;
      }
      if (ahead(top!) || contextStamps(row).some(ahead)) {
        refused.push(row);
        continue;
      }
      accepted.push(row);
      if (maxStamp === null || top! > maxStamp) maxStamp = top;
    }
    return { accepted, refused, maxStamp };
  }

  /**
   * The part of a peer's vector we may adopt. A vector entry is a claim ("I hold every write of D up
   * to s") that would make us skip D's writes up to s from everyone else, so it is taken only as far
   * as we can check it: never our own entry (only our writes define it), never for a device whose
   * rows were held back, and for every other device at most up to the greatest stamp of it we
   * already hold or just received in this stream. Claiming less than the truth is always safe (a
   * later round re-sends what is already here); claiming more would lose writes.
   */
  function adoptable(
    claimed: VersionVector,
    inb: Inbound,
  ): { vector: VersionVector; exclude: Set<DeviceId> } {
    const local = storage.readVector();
    const exclude = new Set(inb.refused);
    exclude.add(d.self);
    const vector: VersionVector = new Map();
    for (const [dev, stamp] of claimed) {
      const a = local.get(dev);
      const b = inb.seen.get(dev);
      const cap = a && b ? maxHlc(a, b) : (a ?? b);
      if (!cap) exclude.add(dev);
      else vector.set(dev, stamp < cap ? stamp : cap);
    }
    return { vector, exclude };
  }

  /**
   * A push says: every write of its sender after `since`, up to the sender's greatest stamp in the
   * rows, is in the rows. If we already hold the sender's writes up to `since` and took every row, we
   * now hold them up to that stamp, and our vector may say so: the vectors stay equal, and the next
   * reconnect needs no round. Anything less (a lost push before this one, a row held back) moves
   * nothing, and the next round repairs it.
   */
  function adoptFromPush(
    from: DeviceId,
    since: Hlc,
    accepted: SyncRow[],
    held: number,
  ): { vector: VersionVector; exclude: Set<DeviceId> } | undefined {
    if (held > 0 || deviceOfHlc(since) !== from) return undefined;
    // No entry yet: we hold none of its writes, which is "up to" its zero stamp.
    const mine = storage.readVector().get(from) ?? zeroStampOf(from);
    if (mine < since) return undefined;
    let top: Hlc | null = null;
    for (const row of accepted)
      for (const f of SYNC_FIELDS) {
        const s = row.hlc[f];
        if (deviceOfHlc(s) === from && (!top || s > top)) top = s;
      }
    return top ? { vector: new Map([[from, top]]), exclude: new Set() } : undefined;
  }

  /** Writes the rows `inb` holds back; throws what the storage throws, with nothing written. */
  function writeStaged(p: Peer, inb: Inbound, adopt?: Parameters<SyncStorage['applyRows']>[1]) {
    inb.cancelLinger?.();
    inb.cancelLinger = null;
    storage.applyRows(inb.staged, adopt);
    if (inb.stagedMax) d.clock.receive(inb.stagedMax);
    inb.applied += inb.staged.length;
    if (p.round) p.round.received += inb.staged.length;
    inb.staged = [];
    inb.stagedMax = null;
  }

  /**
   * A stream that stops short keeps the rows that came (LINGER_MS); its vector does not move. False
   * when the write failed: the stream is dropped (the round has failed) and the caller may tell the
   * peer (APPLY_FAILED), which would otherwise wait for our SYNC_ACK until its silence timeout.
   */
  function keepArrived(p: Peer): boolean {
    const inb = p.inbound;
    if (!inb || inb.staged.length === 0) return true;
    try {
      writeStaged(p, inb);
    } catch (e) {
      p.inbound = null;
      storageFault(p, 'write-failed', e);
      return false;
    }
    progress(p);
    return true;
  }

  /** Drops a stream for good (the peer left, our socket closed, the engine stopped), keeping what came. */
  function closeInbound(p: Peer) {
    p.inbound?.cancelLinger?.();
    keepArrived(p);
    p.inbound = null;
  }

  function armLinger(p: Peer, inb: Inbound) {
    inb.cancelLinger?.();
    inb.cancelLinger = d.timers.set(() => {
      inb.cancelLinger = null;
      d.enqueue(async () => {
        if (p.inbound !== inb || keepArrived(p)) return;
        await d.send('ERROR', p.id, { code: 'APPLY_FAILED', stream: inb.stream });
      });
    }, LINGER_MS);
  }

  async function onBatch(
    p: Peer,
    msg: PayloadOf<'SYNC_DATA'> & { vector?: PayloadOf<'SYNC_COMPLETE'>['vector'] },
    complete: boolean,
  ) {
    let inb = p.inbound;
    if (msg.seq === 0 && (!inb || inb.stream !== msg.stream)) {
      keepArrived(p);
      p.inbound = inb = {
        stream: msg.stream,
        nextSeq: 0,
        broken: false,
        applied: 0,
        refused: new Set(),
        seen: new Map(),
        held: 0,
        staged: [],
        stagedMax: null,
        cancelLinger: null,
      };
    }
    if (!inb || inb.stream !== msg.stream || inb.broken)
      return d.log('debug', `ignoring a batch of an abandoned stream from ${p.id}`);
    if (msg.seq !== inb.nextSeq) {
      inb.broken = true;
      if (!keepArrived(p)) {
        await d.send('ERROR', p.id, { code: 'APPLY_FAILED', stream: msg.stream });
        return;
      }
      d.log('warn', `stream from ${p.id} has a gap (expected ${inb.nextSeq}, got ${msg.seq}); asking again`);
      return requestResend(p);
    }
    inb.nextSeq++;
    // Data with no round open here (ours failed or was superseded): merging it is harmless, and the
    // ack lets the sender finish; there is no round of ours to log.
    const r = p.round;
    const { accepted, refused, maxStamp } = splitByDrift(msg.rows.map(fromWireRow));
    for (const row of refused) for (const dev of devicesOf(row)) inb.refused.add(dev);
    for (const row of accepted) {
      let last: Hlc | null = null;
      for (const f of SYNC_FIELDS) {
        const s = row.hlc[f];
        if (s === last) continue; // a new todo's fields share one stamp
        last = s;
        const dev = deviceOfHlc(s);
        const cur = inb.seen.get(dev);
        if (!cur || s > cur) inb.seen.set(dev, s);
      }
    }
    for (const row of accepted) inb.staged.push(row);
    if (maxStamp && (!inb.stagedMax || maxStamp > inb.stagedMax)) inb.stagedMax = maxStamp;
    inb.held += refused.length;
    d.stats.rowsRefused += refused.length;
    if (r) {
      r.totalIn = Math.max(msg.total, r.received + inb.staged.length);
      if (refused.length) r.partial = 'rows-held-back';
    }
    if (!complete && inb.staged.length < APPLY_ROWS) {
      armLinger(p, inb);
      return progress(p);
    }
    try {
      writeStaged(p, inb, complete && msg.vector ? adoptable(vectorFromWire(msg.vector), inb) : undefined);
    } catch (e) {
      p.inbound = null;
      await d.send('ERROR', p.id, { code: 'APPLY_FAILED', stream: msg.stream });
      return storageFault(p, 'write-failed', e);
    }
    if (complete) {
      p.inbound = null;
      p.resendRequests = 0;
      if (r) r.inDone = true;
      await d.send('SYNC_ACK', p.id, { stream: msg.stream, applied: inb.applied, held: inb.held });
    }
    progress(p);
    maybeFinish(p);
  }

  function onAck(p: Peer, m: PayloadOf<'SYNC_ACK'>) {
    const r = p.round;
    if (!r || r.awaitingAck !== m.stream)
      return d.log('debug', `SYNC_ACK for a stream not awaited from ${p.id}`);
    r.awaitingAck = null;
    r.outDone = true;
    if (m.held > 0) r.partial ??= 'peer-held-rows';
    maybeFinish(p);
  }

  return {
    peerOf,
    get: (id: DeviceId) => peers.get(id),
    all: () => [...peers.values()],
    startRound,
    isInRound: (id: DeviceId) => peers.get(id)?.round != null,

    /** An authenticated message from an allowed peer. */
    async onMessage(
      from: DeviceId,
      msg:
        | { type: 'METADATA_EXCHANGE'; payload: PayloadOf<'METADATA_EXCHANGE'> }
        | { type: 'REQUEST_SYNC'; payload: PayloadOf<'REQUEST_SYNC'> }
        | { type: 'SYNC_DATA'; payload: PayloadOf<'SYNC_DATA'> }
        | { type: 'SYNC_COMPLETE'; payload: PayloadOf<'SYNC_COMPLETE'> }
        | { type: 'SYNC_ACK'; payload: PayloadOf<'SYNC_ACK'> }
        | { type: 'ERROR'; payload: PayloadOf<'ERROR'> },
    ) {
      const p = peerOf(from, msg.type === 'METADATA_EXCHANGE' ? msg.payload.name : undefined);
      if (p.round) armSilence(p);
      switch (msg.type) {
        case 'METADATA_EXCHANGE': {
          const m = msg.payload;
          let r = p.round;
          if (m.reply && !r?.awaitingReply) {
            r = beginRound(p);
            await sendMetadata(p, false);
            if (!p.round) return;
          } else if (!r) {
            // A reply to a round we already closed (superseded, timed out): answer it with data only,
            // never with metadata, or two devices would keep re-opening rounds with each other.
            r = beginRound(p, true);
          }
          // When both sides open a round at once, each treats the other's opener as the reply.
          r.awaitingReply = false;
          return streamTo(p, vectorFromWire(m.vector));
        }
        case 'REQUEST_SYNC':
          if (!p.round) beginRound(p, true);
          return streamTo(p, vectorFromWire(msg.payload.vector));
        case 'SYNC_DATA':
          return onBatch(p, msg.payload, false);
        case 'SYNC_COMPLETE':
          return onBatch(p, msg.payload, true);
        case 'SYNC_ACK':
          return onAck(p, msg.payload);
        case 'ERROR':
          if (msg.payload.code === 'APPLY_FAILED' && p.round?.awaitingAck === msg.payload.stream)
            finishRound(p, 'failed', 'peer-apply-failed');
          return;
      }
    },

    /**
     * A live push from an allowed peer (docs/protocol.md "Live push"): its rows pass the same drift
     * check and the same merge as a round's, outside any round. The vector moves only as far as
     * `adoptFromPush` proves, so a row refused here, or a push that never came, is sent again by the
     * next round. `null` on a storage fault (logged; the round repairs it).
     */
    applyPush(
      from: DeviceId,
      push: PayloadOf<'PUSH'>,
    ): { changed: number; held: number; top: Hlc | null } | null {
      const { accepted, refused, maxStamp } = splitByDrift(push.rows.map(fromWireRow));
      let changed: number;
      try {
        changed = storage.applyRows(
          accepted,
          adoptFromPush(from, push.since, accepted, refused.length),
        ).changed;
      } catch (e) {
        d.log('error', `write-failed: PUSH from ${from}: ${e instanceof Error ? e.message : String(e)}`);
        d.emit({ type: 'error', code: 'storage', peerId: from });
        return null;
      }
      if (maxStamp) d.clock.receive(maxStamp);
      d.stats.rowsRefused += refused.length;
      return { changed, held: refused.length, top: maxStamp };
    },

    /** The relay says the peer's socket closed: its half of any round will not come. */
    onPeerLeft(id: DeviceId) {
      const p = peers.get(id);
      if (!p) return;
      closeInbound(p);
      if (!p.round) return;
      finishRound(p, 'partial', 'peer-left');
      d.emit({ type: 'error', code: 'peer-gone', peerId: id });
    },

    /** Our socket closed: every open round ends partial. True if any was open. */
    onDisconnect(): boolean {
      let interrupted = false;
      for (const p of peers.values()) {
        closeInbound(p);
        if (!p.round) continue;
        interrupted = true;
        finishRound(p, 'partial', 'connection-lost');
      }
      return interrupted;
    },

    finishAll(reason: RoundReason) {
      for (const p of peers.values()) {
        closeInbound(p);
        finishRound(p, 'partial', reason);
      }
    },
  };
}
export type Rounds = ReturnType<typeof createRounds>;
