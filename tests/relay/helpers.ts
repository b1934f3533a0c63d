import { env, exports } from 'cloudflare:workers';
import {
  PING_FRAME,
  PONG_FRAME,
  PROTOCOL_VERSION,
  relayErrorSchema,
  type DeviceMessageType,
} from '../../lib/protocol/envelope';
import { encodeBinaryEnvelope } from '../../lib/protocol/binary-envelope';

export const BASE = 'https://relay.test';

export function uuid(): string {
  return crypto.randomUUID();
}

export function randomB64url(bytes: number): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  let binary = '';
  for (const b of raw) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

let counter = 0;

/** An envelope as a device would send it; the relay cannot tell random bytes from ciphertext. */
export function envelope(
  from: string,
  type: DeviceMessageType = 'SYNC_DATA',
  extra: Record<string, unknown> = {},
): string {
  counter += 1;
  return JSON.stringify({
    v: PROTOCOL_VERSION,
    type,
    from,
    c: counter,
    n: randomB64url(12),
    ct: randomB64url(48),
    ...extra,
  });
}

/** A binary envelope (v6) as a device sends a PUSH; random bytes for nonce and ciphertext. */
export function binaryEnvelope(from: string, to?: string, ctBytes = 48): ArrayBuffer {
  counter += 1;
  const frame = encodeBinaryEnvelope({
    v: PROTOCOL_VERSION,
    type: 'PUSH',
    from,
    ...(to !== undefined ? { to } : {}),
    c: counter,
    n: crypto.getRandomValues(new Uint8Array(12)),
    // getRandomValues fills at most 64 KiB; the relay cannot tell zeros from ciphertext either.
    ct: ctBytes <= 65_536 ? crypto.getRandomValues(new Uint8Array(ctBytes)) : new Uint8Array(ctBytes),
  });
  return frame.buffer;
}

/** How a test device records a binary frame it receives: `binary:` and its bytes in hex. */
export function binaryText(frame: ArrayBuffer): string {
  return `binary:${[...new Uint8Array(frame)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** A valid envelope of exactly `bytes` bytes (ASCII), for the byte budget and the output cap. */
export function envelopeOfSize(from: string, bytes: number, extra: Record<string, unknown> = {}): string {
  const shell = envelope(from, 'SYNC_DATA', { ...extra, ct: '' });
  return envelope(from, 'SYNC_DATA', { ...extra, ct: 'A'.repeat(bytes - shell.length) });
}

/** `relay`: a pairing session's room; `circle`: a circle's room (no expiry). */
export type Party = 'relay' | 'circle';

export function sessionUrl(room: string, device: string, party: Party = 'relay'): string {
  return `${BASE}/parties/${party}/${room}?_pk=${device}`;
}

export function upgrade(url: string, origin?: string): Promise<Response> {
  const headers: Record<string, string> = { Upgrade: 'websocket' };
  if (origin !== undefined) headers.Origin = origin;
  return exports.default.fetch(new Request(url, { headers }));
}

export type Device = {
  id: string;
  ws: WebSocket;
  /** The next frame not yet taken, or a timeout error. */
  next(timeoutMs?: number): Promise<string>;
  /** Frames received and not yet taken. */
  pending(): string[];
  /** Calls `listener` after every frame this device receives; returns the unsubscribe. */
  onFrame(listener: () => void): () => void;
  /**
   * Resolves once the relay's answer to a deliberately bad frame comes back: the session object handles
   * a socket's frames in order, so everything it sent this socket before has arrived. (PING cannot serve
   * here: the runtime answers it without queueing behind the object.)
   */
  barrier(): Promise<void>;
  /** PING, then wait for the runtime's PONG (frames queued before it are kept for next()). */
  ping(): Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  send(frame: string | ArrayBuffer): void;
  close(): Promise<void>;
};

export async function connect(
  room: string,
  id = uuid(),
  origin?: string,
  party: Party = 'relay',
): Promise<Device> {
  const response = await upgrade(sessionUrl(room, id, party), origin);
  const ws = response.webSocket;
  if (ws === null) throw new Error(`upgrade refused: ${response.status} ${await response.text()}`);
  ws.accept();
  ws.binaryType = 'arraybuffer';
  const queue: string[] = [];
  const waiters: ((frame: string) => void)[] = [];
  const listeners = new Set<() => void>();
  ws.addEventListener('message', (event) => {
    const frame =
      typeof event.data === 'string'
        ? event.data
        : event.data instanceof ArrayBuffer
          ? binaryText(event.data)
          : '<binary>';
    const waiter = waiters.shift();
    if (waiter) waiter(frame);
    else queue.push(frame);
    for (const listener of [...listeners]) listener();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.addEventListener('close', (event) => resolve({ code: event.code, reason: event.reason }));
  });
  const next = (timeoutMs = 5000): Promise<string> => {
    const queued = queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = waiters.indexOf(waiter);
        if (index >= 0) waiters.splice(index, 1);
        reject(new Error(`device ${id}: no frame within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (frame: string): void => {
        clearTimeout(timer);
        resolve(frame);
      };
      waiters.push(waiter);
    });
  };
  const device: Device = {
    id,
    ws,
    next,
    pending: () => [...queue],
    onFrame(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    closed,
    send: (frame) => ws.send(frame),
    async barrier() {
      const marker = `barrier-${crypto.randomUUID()}`;
      ws.send(marker);
      const frames: string[] = [];
      for (;;) {
        const frame = await next();
        if (isBarrierAnswer(frame)) break;
        frames.push(frame);
      }
      queue.unshift(...frames);
    },
    async ping() {
      ws.send(PING_FRAME);
      const frames: string[] = [];
      for (;;) {
        const frame = await next();
        if (frame === PONG_FRAME) break;
        frames.push(frame);
      }
      queue.unshift(...frames);
    },
    async close() {
      ws.close(1000, 'done');
      await closed;
    },
  };
  return device;
}

export function parse(frame: string): unknown {
  return JSON.parse(frame);
}

export function stubFor(room: string, party: Party = 'relay') {
  const ns = party === 'circle' ? env.Circle : env.Relay;
  return ns.get(ns.idFromName(room));
}

function isBarrierAnswer(frame: string): boolean {
  try {
    const parsed = relayErrorSchema.safeParse(JSON.parse(frame));
    return parsed.success && parsed.data.code === 'BAD_FRAME' && parsed.data.message === 'frame is not JSON';
  } catch {
    return false;
  }
}

/** Resolves once `predicate` holds, checked after every frame any of `devices` receives. */
export function untilFrames(devices: Device[], predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const unsubscribe: (() => void)[] = [];
    const done = (error?: Error): void => {
      clearTimeout(timer);
      for (const off of unsubscribe) off();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => done(new Error(`condition not met within ${timeoutMs} ms`)), timeoutMs);
    const check = (): void => {
      if (predicate()) done();
    };
    for (const device of devices) unsubscribe.push(device.onFrame(check));
    check();
  });
}
