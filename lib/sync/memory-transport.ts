/**
 * An in-memory stand-in for the relay, for engine tests: broadcasts each frame to the other open
 * sockets of the session (FIFO per sender→receiver link, like one WebSocket), answers PING, sends
 * PEER_LEFT when a socket closes, and lets a test drop, duplicate, reorder, inject (a hostile relay
 * or stranger), hold (partition) and step deliveries.
 * Nothing is delivered until the test calls deliverOne/deliverAll, so schedules are reproducible.
 */
import { PING_FRAME, PONG_FRAME } from '../protocol/envelope';
import { decodeBinaryEnvelope } from '../protocol/binary-envelope';
import type { Frame, Transport } from './ports';

interface Queued {
  from: string;
  to: string;
  frame: Frame;
  type: string;
}

export interface MemoryRelay {
  /** A transport for `deviceId`; call its connect() to open it. */
  transport(deviceId: string): Transport;
  pending(): number;
  /**
   * Delivers one queued frame from a link chosen by `pick(linkCount)`; false if nothing is
   * deliverable. With `reorder`, the frame is `reorder(linkLength)`th in its link, not the first.
   */
  deliverOne(pick?: (n: number) => number, reorder?: (n: number) => number): boolean;
  /** Frames matching the predicate are dropped as they are sent. */
  setDrop(pred: ((f: Queued) => boolean) | null): void;
  /** Holds frames to and from a device (a partition) until released. */
  hold(deviceId: string, on: boolean): void;
  /** The relay closes this device's socket (network loss); others get PEER_LEFT. */
  disconnect(deviceId: string): void;
  /** Frames matching the predicate are delivered twice (a relay or network repeating itself). */
  setDuplicate(pred: ((f: Queued) => boolean) | null): void;
  /** Puts a raw frame on the link to `to`, as the relay (or whoever holds a socket) could. */
  inject(to: string, frame: Frame, from?: string): void;
  /** Every frame accepted from a sender, for wire accounting. */
  readonly sent: { from: string; type: string; bytes: number }[];
}

function typeOf(frame: Frame): string {
  if (typeof frame !== 'string') {
    const b = decodeBinaryEnvelope(frame);
    return b.ok ? b.envelope.type : '?';
  }
  try {
    const v: unknown = JSON.parse(frame);
    return typeof v === 'object' && v !== null && 'type' in v && typeof v.type === 'string' ? v.type : '?';
  } catch {
    return '?';
  }
}

export function createMemoryRelay(): MemoryRelay {
  const sockets = new Map<
    string,
    {
      open: boolean;
      message: Set<(f: Frame) => void>;
      openCbs: Set<() => void>;
      closeCbs: Set<(r: string) => void>;
    }
  >();
  const links = new Map<string, Queued[]>();
  const held = new Set<string>();
  const sent: MemoryRelay['sent'] = [];
  let drop: ((f: Queued) => boolean) | null = null;
  let duplicate: ((f: Queued) => boolean) | null = null;

  const enqueue = (q: Queued) => {
    const key = `${q.from}>${q.to}`;
    let l = links.get(key);
    if (!l) links.set(key, (l = []));
    l.push(q);
  };
  const deliverable = () =>
    [...links.values()].filter((l) => l.length > 0 && !held.has(l[0]!.from) && !held.has(l[0]!.to));

  /** `orderly`: the device closed its socket, so what it sent before still arrives (as over TCP). */
  function close(deviceId: string, reason: string, orderly = false) {
    const s = sockets.get(deviceId);
    if (!s || !s.open) return;
    s.open = false;
    for (const [key, l] of links)
      if ((!orderly && key.startsWith(`${deviceId}>`)) || key.endsWith(`>${deviceId}`)) l.length = 0;
    for (const [id, other] of sockets) {
      if (id !== deviceId && other.open)
        enqueue({
          from: 'relay',
          to: id,
          frame: JSON.stringify({ type: 'PEER_LEFT', from: 'relay', device: deviceId }),
          type: 'PEER_LEFT',
        });
    }
    for (const cb of s.closeCbs) cb(reason);
  }

  return {
    sent,
    transport(deviceId) {
      const s = {
        open: false,
        message: new Set<(f: Frame) => void>(),
        openCbs: new Set<() => void>(),
        closeCbs: new Set<(r: string) => void>(),
      };
      sockets.set(deviceId, s);
      return {
        get isOpen() {
          return s.open;
        },
        send(frame) {
          if (!s.open || sockets.get(deviceId) !== s) return false;
          if (frame === PING_FRAME) {
            enqueue({ from: 'relay', to: deviceId, frame: PONG_FRAME, type: 'PONG' });
            return true;
          }
          const type = typeOf(frame);
          sent.push({
            from: deviceId,
            type,
            bytes: typeof frame === 'string' ? new TextEncoder().encode(frame).length : frame.byteLength,
          });
          for (const [id, other] of sockets) {
            if (id === deviceId || !other.open) continue;
            const q = { from: deviceId, to: id, frame, type };
            if (drop?.(q)) continue;
            enqueue(q);
            if (duplicate?.(q)) enqueue({ ...q });
          }
          return true;
        },
        onMessage(cb) {
          s.message.add(cb);
          return () => s.message.delete(cb);
        },
        onOpen(cb) {
          s.openCbs.add(cb);
          return () => s.openCbs.delete(cb);
        },
        onClose(cb) {
          s.closeCbs.add(cb);
          return () => s.closeCbs.delete(cb);
        },
        connect() {
          if (s.open) return;
          s.open = true;
          for (const cb of s.openCbs) cb();
        },
        close() {
          // A newer socket of the same device replaced this one (the relay's close 4002): it goes
          // quietly, with no PEER_LEFT, and must not take the newer socket down with it.
          if (sockets.get(deviceId) !== s) {
            if (s.open) {
              s.open = false;
              for (const cb of s.closeCbs) cb('replaced');
            }
            return;
          }
          close(deviceId, 'closed', true);
        },
      };
    },
    pending: () => [...links.values()].reduce((n, l) => n + l.length, 0),
    deliverOne(pick = () => 0, reorder) {
      const ready = deliverable();
      if (ready.length === 0) return false;
      const link = ready[pick(ready.length) % ready.length]!;
      const q = link.splice(reorder ? reorder(link.length) % link.length : 0, 1)[0]!;
      const s = sockets.get(q.to);
      if (s?.open) for (const cb of s.message) cb(q.frame);
      return true;
    },
    setDrop(pred) {
      drop = pred;
    },
    setDuplicate(pred) {
      duplicate = pred;
    },
    inject(to, frame, from = 'relay') {
      enqueue({ from, to, frame, type: typeOf(frame) });
    },
    hold(deviceId, on) {
      if (on) held.add(deviceId);
      else held.delete(deviceId);
    },
    disconnect(deviceId) {
      close(deviceId, 'network lost');
    },
  };
}
