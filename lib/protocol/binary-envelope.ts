/**
 * The binary envelope (v6, docs/protocol.md "Binary frames"): the same fields as the JSON envelope
 * (envelope.ts), in a WebSocket binary frame, without JSON keys, with the ids as 16 bytes and the
 * nonce and ciphertext as raw bytes instead of base64url. Used for PUSH, whose one changed field was
 * mostly envelope (issue 13: ≤ 300 B for a live single-field change).
 *
 *   offset  size    field
 *   0       1       v      protocol version (1–255)
 *   1       1       type   index into DEVICE_MESSAGE_TYPES
 *   2       1       flags  bit 0: `to` present; every other bit 0
 *   3       16      from   the sender's device id (a UUID's 16 bytes)
 *   19      16      to     the addressee (only with flag bit 0)
 *   …       1–8     c      the sender's counter, unsigned LEB128, shortest form, 1…2^53−1
 *   …       12      n      AES-GCM nonce
 *   …       ≥ 16    ct     ciphertext with its 16-byte tag, to the end of the frame
 *
 * The relay checks exactly this (decodeBinaryEnvelope, shared with the devices) and reads `from` and
 * `to` from it; it never looks at `ct`. Every refusal is a code, never a throw.
 */
import { DEVICE_MESSAGE_TYPES, MAX_FRAME_BYTES, UUID_RE, type DeviceMessageType } from './envelope';

export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
const ID_BYTES = 16;
const FLAG_TO = 1;
const MAX_COUNTER_BYTES = 8;

/** A decoded binary envelope: the JSON envelope's fields, with `n` and `ct` as bytes. */
export interface BinaryEnvelope {
  v: number;
  type: DeviceMessageType;
  from: string;
  to?: string;
  c: number;
  n: Uint8Array<ArrayBuffer>;
  ct: Uint8Array<ArrayBuffer>;
}

export const BINARY_ENVELOPE_ERRORS = [
  'truncated', // shorter than its header, nonce and tag
  'too-large', // over MAX_FRAME_BYTES
  'bad-version', // version byte 0
  'unknown-type', // type index past DEVICE_MESSAGE_TYPES
  'bad-flags', // a flag bit this version does not know
  'bad-counter', // counter 0, over 2^53 − 1, longer than 8 bytes, or not in its shortest form
] as const;
export type BinaryEnvelopeError = (typeof BINARY_ENVELOPE_ERRORS)[number];

export type DecodedBinaryEnvelope =
  { ok: true; envelope: BinaryEnvelope } | { ok: false; code: BinaryEnvelopeError };

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** 16 bytes → the lower-case UUID text of device ids (any 16 bytes are one). */
function uuidOf(b: Uint8Array, at: number): string {
  let s = '';
  for (let i = 0; i < ID_BYTES; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += '-';
    s += HEX[b[at + i]!]!;
  }
  return s;
}

function putUuid(out: Uint8Array, at: number, id: string): void {
  if (!UUID_RE.test(id)) throw new RangeError('not a device id');
  const hex = id.replaceAll('-', '');
  for (let i = 0; i < ID_BYTES; i++) out[at + i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
}

function counterBytes(c: number): number {
  let n = 1;
  for (let x = c; x >= 128; x = Math.floor(x / 128)) n++;
  return n;
}

/** The header, nonce and ciphertext as one binary frame. Throws on values no device sends (a bug). */
export function encodeBinaryEnvelope(e: BinaryEnvelope): Uint8Array<ArrayBuffer> {
  if (!Number.isSafeInteger(e.c) || e.c < 1) throw new RangeError('bad counter');
  if (e.n.byteLength !== NONCE_BYTES) throw new RangeError('bad nonce');
  const typeIndex = DEVICE_MESSAGE_TYPES.indexOf(e.type);
  if (typeIndex < 0 || !Number.isInteger(e.v) || e.v < 1 || e.v > 255) throw new RangeError('bad header');
  const head = 3 + ID_BYTES + (e.to !== undefined ? ID_BYTES : 0);
  const cb = counterBytes(e.c);
  const out = new Uint8Array(head + cb + NONCE_BYTES + e.ct.byteLength);
  out[0] = e.v;
  out[1] = typeIndex;
  out[2] = e.to !== undefined ? FLAG_TO : 0;
  putUuid(out, 3, e.from);
  if (e.to !== undefined) putUuid(out, 3 + ID_BYTES, e.to);
  let at = head;
  let x = e.c;
  while (x >= 128) {
    out[at++] = (x % 128) | 0x80;
    x = Math.floor(x / 128);
  }
  out[at++] = x;
  out.set(e.n, at);
  out.set(e.ct, at + NONCE_BYTES);
  return out;
}

/** The strict check of a binary frame; `n` and `ct` are views into `frame`, not copies. */
export function decodeBinaryEnvelope(frame: Uint8Array<ArrayBuffer>): DecodedBinaryEnvelope {
  const len = frame.byteLength;
  if (len > MAX_FRAME_BYTES) return { ok: false, code: 'too-large' };
  if (len < 3 + ID_BYTES + 1 + NONCE_BYTES + TAG_BYTES) return { ok: false, code: 'truncated' };
  const v = frame[0]!;
  if (v === 0) return { ok: false, code: 'bad-version' };
  const type = DEVICE_MESSAGE_TYPES[frame[1]!];
  if (type === undefined) return { ok: false, code: 'unknown-type' };
  const flags = frame[2]!;
  if ((flags & ~FLAG_TO) !== 0) return { ok: false, code: 'bad-flags' };
  const from = uuidOf(frame, 3);
  let at = 3 + ID_BYTES;
  let to: string | undefined;
  if (flags & FLAG_TO) {
    if (len < at + ID_BYTES) return { ok: false, code: 'truncated' };
    to = uuidOf(frame, at);
    at += ID_BYTES;
  }
  let c = 0;
  let scale = 1;
  for (let i = 0; ; i++) {
    if (i === MAX_COUNTER_BYTES) return { ok: false, code: 'bad-counter' };
    if (at >= len) return { ok: false, code: 'truncated' };
    const b = frame[at++]!;
    c += (b & 0x7f) * scale;
    scale *= 128;
    if ((b & 0x80) === 0) {
      // Shortest form only: a last byte of 0 after others adds nothing (one spelling per counter).
      if (b === 0 && i > 0) return { ok: false, code: 'bad-counter' };
      break;
    }
  }
  if (c < 1 || c > Number.MAX_SAFE_INTEGER) return { ok: false, code: 'bad-counter' };
  if (len - at < NONCE_BYTES + TAG_BYTES) return { ok: false, code: 'truncated' };
  const n = frame.subarray(at, at + NONCE_BYTES);
  const ct = frame.subarray(at + NONCE_BYTES);
  return { ok: true, envelope: { v, type, from, ...(to !== undefined ? { to } : {}), c, n, ct } };
}

/** A binary frame as it arrives from a socket (ArrayBuffer) or a test (a view), as bytes. */
export function frameBytesOf(frame: ArrayBuffer | ArrayBufferView): Uint8Array<ArrayBuffer> {
  if (frame instanceof ArrayBuffer) return new Uint8Array(frame);
  return new Uint8Array(frame.buffer as ArrayBuffer, frame.byteOffset, frame.byteLength);
}
