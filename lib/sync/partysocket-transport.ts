/**
 * Transport over partysocket (a reconnecting WebSocket) to the relay's Durable Object for the
 * session: `/parties/relay/<sessionId>`. Reconnects by itself; onOpen fires after every reconnect,
 * which makes the engine re-JOIN (guest) or re-open rounds (host). PING every ~20 s keeps idle
 * sockets alive through proxies; the relay answers it without waking the hibernated object.
 */
import { PartySocket } from 'partysocket';
import { isFinalRelayClose, PING_FRAME, RELAY_LIMITS, TARGET_BATCH_BYTES } from '../protocol/envelope';
import type { DeviceId, SessionId } from '../model/ids';
import type { Frame, Transport } from './ports';

/** The relay replaces a socket only after RELAY_LIMITS.liveWindowMs of silence, which is longer. */
export const PING_INTERVAL_MS = RELAY_LIMITS.keepaliveMs;
/**
 * The relay drops frames over its frame and byte buckets (RELAY_LIMITS) and closes a socket that keeps
 * doing it. A big stream would lose batches and have to restart, so frames leave through our own,
 * stricter bucket, counted in frames: at most TARGET_BATCH_BYTES each, SEND_RATE_PER_SEC of them stay
 * under the relay's byte rate, and a full SEND_BURST under its byte burst (tests/relay/pure.test.ts).
 */
export const SEND_RATE_PER_SEC = Math.floor(
  Math.min(0.8 * RELAY_LIMITS.framesPerSec, (0.95 * RELAY_LIMITS.bytesPerSec) / TARGET_BATCH_BYTES),
);
export const SEND_BURST = Math.floor(
  Math.min(0.75 * RELAY_LIMITS.frameBurst, (0.95 * RELAY_LIMITS.byteBurst) / TARGET_BATCH_BYTES),
);

export function createPartySocketTransport(opts: {
  /** The relay origin from the pairing link or settings, e.g. `http://127.0.0.1:8787`. */
  relayOrigin: string;
  sessionId: SessionId;
  deviceId: DeviceId;
  /** `relay`: a pairing session's room, which expires; `circle`: a circle's room, which does not. */
  party?: 'relay' | 'circle';
  pingIntervalMs?: number;
}): Transport {
  const origin = new URL(opts.relayOrigin);
  const socket = new PartySocket({
    host: origin.host,
    protocol: origin.protocol === 'https:' ? 'wss' : 'ws',
    party: opts.party ?? 'relay',
    room: opts.sessionId,
    id: opts.deviceId,
    startClosed: true,
    maxReconnectionDelay: 10_000,
  });
  // PUSH frames are binary (v6); as ArrayBuffer they arrive synchronously, a Blob would need a read.
  socket.binaryType = 'arraybuffer';
  let ping: ReturnType<typeof setInterval> | null = null;
  const queue: Frame[] = [];
  let tokens = SEND_BURST;
  let refilledAt = Date.now();
  let drainTimer: ReturnType<typeof setTimeout> | null = null;
  function drain() {
    drainTimer = null;
    const t = Date.now();
    tokens = Math.min(SEND_BURST, tokens + ((t - refilledAt) * SEND_RATE_PER_SEC) / 1000);
    refilledAt = t;
    while (queue.length > 0 && tokens >= 1 && socket.readyState === WebSocket.OPEN) {
      socket.send(queue.shift()!);
      tokens -= 1;
    }
    if (queue.length > 0 && socket.readyState === WebSocket.OPEN) {
      drainTimer = setTimeout(drain, Math.ceil(((1 - tokens) * 1000) / SEND_RATE_PER_SEC));
    }
  }
  const stopPing = () => {
    if (ping) clearInterval(ping);
    ping = null;
  };
  socket.addEventListener('open', () => {
    stopPing();
    ping = setInterval(() => {
      if (socket.readyState === WebSocket.OPEN) socket.send(PING_FRAME);
    }, opts.pingIntervalMs ?? PING_INTERVAL_MS);
  });
  socket.addEventListener('close', (e: CloseEvent) => {
    stopPing();
    // partysocket reconnects with growing back-off, which is right after the relay's retryable codes
    // (its device id still held by a live socket, too much unread output, too many refused frames).
    // After a final code (session full, expired) a reconnect would be refused again or open an empty
    // session, so stop.
    if (isFinalRelayClose(e.code)) socket.close();
    // Frames queued for a dead socket are lost, as they would be in flight; the engine resyncs.
    queue.length = 0;
    if (drainTimer) clearTimeout(drainTimer);
    drainTimer = null;
  });

  return {
    get isOpen() {
      return socket.readyState === WebSocket.OPEN;
    },
    send(frame) {
      if (socket.readyState !== WebSocket.OPEN) return false;
      queue.push(frame);
      if (!drainTimer) drain();
      return true;
    },
    onMessage(cb) {
      const h = (e: MessageEvent) => {
        if (typeof e.data === 'string') cb(e.data);
        else if (e.data instanceof ArrayBuffer) cb(new Uint8Array(e.data));
      };
      socket.addEventListener('message', h);
      return () => socket.removeEventListener('message', h);
    },
    onOpen(cb) {
      socket.addEventListener('open', cb);
      return () => socket.removeEventListener('open', cb);
    },
    onClose(cb) {
      const h = (e: CloseEvent) => cb(e.reason || `closed (${e.code})`);
      socket.addEventListener('close', h);
      return () => socket.removeEventListener('close', h);
    },
    connect() {
      socket.reconnect();
    },
    close() {
      stopPing();
      queue.length = 0;
      if (drainTimer) clearTimeout(drainTimer);
      socket.close();
    },
  };
}
