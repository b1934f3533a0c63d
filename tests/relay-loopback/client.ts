import { PartySocket } from 'partysocket';
import { inject } from 'vitest';
import {
  inboundFrameSchema,
  PING_FRAME,
  PONG_FRAME,
  PROTOCOL_VERSION,
  type DeviceMessageType,
  type InboundFrame,
} from '../../lib/protocol/envelope';

export function randomB64url(bytes: number): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('base64url');
}

let counter = 0;

export function envelope(
  from: string,
  type: DeviceMessageType = 'SYNC_DATA',
  ct = randomB64url(48),
  to?: string,
): string {
  counter += 1;
  return JSON.stringify({ v: PROTOCOL_VERSION, type, from, to, c: counter, n: randomB64url(12), ct });
}

/** A valid envelope of exactly `bytes` bytes (ASCII). */
export function envelopeOfSize(from: string, bytes: number, to?: string): string {
  const shell = envelope(from, 'SYNC_DATA', '', to);
  return envelope(from, 'SYNC_DATA', 'A'.repeat(bytes - shell.length), to);
}

/** Resolves when `predicate` holds, checked on every change; rejects after `timeoutMs`. */
export function waitFor(
  describe: string,
  subscribe: (check: () => void) => () => void,
  predicate: () => boolean,
  timeoutMs = 15_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let unsubscribe = (): void => {};
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${describe}`));
    }, timeoutMs);
    const check = (): void => {
      if (!predicate()) return;
      clearTimeout(timer);
      unsubscribe();
      resolve();
    };
    unsubscribe = subscribe(check);
    check();
  });
}

/** partysocket types `id` as a UUID template literal; crypto.randomUUID returns exactly that. */
export type DeviceId = ReturnType<typeof crypto.randomUUID>;

export type Device = {
  id: string;
  socket: PartySocket;
  received: string[];
  opens: number;
  pongs: number;
  /** Close codes of every socket this device had, in order (partysocket reconnects after each). */
  closeCodes: number[];
  /** Resolves once `count` frames (in total, since creation) have arrived. */
  receivedAtLeast(count: number, timeoutMs?: number): Promise<void>;
  opened(count?: number): Promise<void>;
  /**
   * Round trip through the session object: its answer to a deliberately bad frame comes after every
   * frame it had already sent this socket. The answer is removed from `received`.
   */
  barrier(): Promise<void>;
  until(describe: string, predicate: () => boolean, timeoutMs?: number): Promise<void>;
  close(): void;
};

/** A device as the extension will run it: partysocket with the session id as room and device id as id. */
export function createDevice(
  room: string,
  id: string = crypto.randomUUID(),
  options: { joinOnOpen?: boolean; host?: string } = {},
): Device {
  const socket = new PartySocket({
    host: options.host ?? inject('relayHost'),
    party: 'relay',
    room,
    id,
    // Tests reconnect on purpose; the default 3 s back-off would only slow them down.
    minReconnectionDelay: 50,
    maxReconnectionDelay: 200,
    // partysocket gives up on an open after 4 s and reconnects; 150 sockets opening at once on a busy
    // 2-core machine can take that long, and the reconnect's PEER_LEFT would count as an extra frame.
    connectionTimeout: 30_000,
  });
  const listeners = new Set<() => void>();
  const notify = (): void => {
    for (const listener of [...listeners]) listener();
  };
  const device: Device = {
    id,
    socket,
    received: [],
    opens: 0,
    pongs: 0,
    closeCodes: [],
    until: (describe, predicate, timeoutMs) =>
      waitFor(
        `${describe} (device ${id})`,
        (check) => {
          listeners.add(check);
          return () => listeners.delete(check);
        },
        predicate,
        timeoutMs,
      ),
    receivedAtLeast: (count, timeoutMs) =>
      device.until(`${count} frames`, () => device.received.length >= count, timeoutMs),
    opened: (count = 1) => device.until(`open #${count}`, () => device.opens >= count),
    close: () => socket.close(),
    async barrier() {
      const isAnswer = (frame: string): boolean => {
        const parsed = inbound(frame);
        return parsed !== null && 'code' in parsed && parsed.code === 'BAD_FRAME';
      };
      const from = device.received.length;
      socket.send('barrier');
      await device.until('barrier answer', () => device.received.slice(from).some(isAnswer));
      const index = device.received.findIndex((frame, i) => i >= from && isAnswer(frame));
      device.received.splice(index, 1);
    },
  };
  socket.addEventListener('open', () => {
    device.opens += 1;
    if (options.joinOnOpen) socket.send(envelope(id, 'JOIN'));
    notify();
  });
  socket.addEventListener('close', (event: CloseEvent) => {
    device.closeCodes.push(event.code);
    notify();
  });
  socket.addEventListener('message', (event: MessageEvent) => {
    if (event.data === PONG_FRAME) device.pongs += 1;
    else if (typeof event.data === 'string') device.received.push(event.data);
    notify();
  });
  return device;
}

export async function pingPong(device: Device): Promise<void> {
  const before = device.pongs;
  device.socket.send(PING_FRAME);
  await device.until('PONG', () => device.pongs > before);
}

/** A frame from the relay, validated as a device would; null if it is not a valid inbound frame. */
export function inbound(frame: string): InboundFrame | null {
  try {
    const parsed = inboundFrameSchema.safeParse(JSON.parse(frame));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
