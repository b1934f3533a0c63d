/**
 * A WebSocket client written on a bare TCP socket, for what Node's WebSocket cannot do: send any
 * Origin and Host, stop reading (so the relay's output backs up), announce a frame longer than it
 * sends, or write a frame header and stream its payload.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { constants as zlibConstants, deflateRawSync } from 'node:zlib';

export type RawUpgrade = { socket: Socket; status: number; head: string };

/** Sends the upgrade request (`headers` add to or replace the defaults) and resolves with the answer's status; the socket stays open. */
export async function rawUpgrade(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<RawUpgrade> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {
    // A reset after the relay closes is expected; the tests look at what arrived before it.
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const all: Record<string, string> = {
    Host: `127.0.0.1:${port}`,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    ...headers,
  };
  const lines = [`GET ${path} HTTP/1.1`, ...Object.entries(all).map(([name, value]) => `${name}: ${value}`)];
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  const head = await new Promise<string>((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      // Bytes after the response head are WebSocket frames; put them back for whoever reads next.
      const rest = buffered.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      resolve(buffered.subarray(0, end).toString('latin1'));
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error('socket closed before the upgrade answer')));
  });
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
  return { socket, status, head };
}

/**
 * A client frame header (FIN set, masked) announcing `length` payload bytes, and its mask. `compressed`
 * sets RSV1, which marks a permessage-deflate message.
 */
export function frameHeader(
  opcode: number,
  length: number,
  compressed = false,
): { header: Buffer; mask: Buffer } {
  const mask = randomBytes(4);
  const first = 0x80 | (compressed ? 0x40 : 0) | opcode;
  let header: Buffer;
  if (length < 126) {
    header = Buffer.from([first, 0x80 | length]);
  } else if (length < 65536) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = 0x80 | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return { header: Buffer.concat([header, mask]), mask };
}

/** A whole masked text message compressed with permessage-deflate (RFC 7692 §7.2.1). */
export function deflatedTextFrame(payload: Buffer): Buffer {
  const deflated = deflateRawSync(payload, { flush: zlibConstants.Z_SYNC_FLUSH });
  const body = deflated.subarray(0, deflated.length - 4);
  const { header, mask } = frameHeader(0x1, body.length, true);
  return Buffer.concat([header, body.map((byte, i) => byte ^ (mask[i % 4] ?? 0))]);
}

/** A whole masked text frame. */
export function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const { header, mask } = frameHeader(0x1, payload.length);
  return Buffer.concat([header, payload.map((byte, i) => byte ^ (mask[i % 4] ?? 0))]);
}

/**
 * Resolves with the code of the first Close frame the server sends (the socket must be reading), or
 * 1006 if the connection ends without one.
 */
export function closeCode(socket: Socket): Promise<number> {
  return new Promise((resolve) => {
    socket.once('close', () => resolve(1006));
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      // Walk server frames (unmasked): opcode, 7/16/64-bit length, payload.
      for (;;) {
        if (buffered.length < 2) return;
        const opcode = (buffered[0] ?? 0) & 0x0f;
        let length = (buffered[1] ?? 0) & 0x7f;
        let offset = 2;
        if (length === 126) {
          if (buffered.length < 4) return;
          length = buffered.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          if (buffered.length < 10) return;
          length = Number(buffered.readBigUInt64BE(2));
          offset = 10;
        }
        if (buffered.length < offset + length) return;
        if (opcode === 0x8) {
          socket.off('data', onData);
          resolve(length >= 2 ? buffered.readUInt16BE(offset) : 1005);
          return;
        }
        buffered = buffered.subarray(offset + length);
      }
    };
    socket.on('data', onData);
  });
}

/**
 * Writes `total` random payload bytes in 64 KiB chunks, honouring back-pressure, until done, the socket
 * closes, or `stop()` says so; `progress.written` counts the bytes handed to the socket so far.
 */
export async function streamPayload(
  socket: Socket,
  total: number,
  stop: () => boolean,
  progress: { written: number },
): Promise<void> {
  const chunk = randomBytes(64 * 1024);
  const gone = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  while (progress.written < total && !stop() && !socket.destroyed) {
    const more = socket.write(chunk);
    progress.written += chunk.length;
    if (!more) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), gone]);
  }
}
