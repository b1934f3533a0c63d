import {
  DEVICE_MESSAGE_TYPES,
  envelopeSchema,
  type DeviceMessageType,
  type Envelope,
  type RelayErrorCode,
} from '../../lib/protocol/envelope';
import { decodeBinaryEnvelope, frameBytesOf } from '../../lib/protocol/binary-envelope';

/** What the relay reads of a frame it forwards: who sent it and to whom. */
export type FrameHeader = Pick<Envelope, 'type' | 'from' | 'to'>;

export type FrameVerdict =
  | { ok: true; envelope: FrameHeader; bytes: number }
  | { ok: false; code: RelayErrorCode; message: string; bytes: number };

const encoder = new TextEncoder();
const knownTypes: ReadonlySet<string> = new Set<DeviceMessageType>(DEVICE_MESSAGE_TYPES);

/**
 * The frame's size in UTF-8 bytes. Every UTF-16 unit is at least one UTF-8 byte, so a string longer
 * than the cap is measured by its length (a lower bound) without encoding it.
 */
export function frameBytes(frame: string | ArrayBuffer | ArrayBufferView, maxFrameBytes: number): number {
  if (typeof frame !== 'string') return frame.byteLength;
  return frame.length > maxFrameBytes ? frame.length : encoder.encode(frame).byteLength;
}

/**
 * Reads only what routing needs, in the documented order: size, JSON shape, type, envelope.
 * The ciphertext is never decoded. `senderId` must match `from` so a device cannot speak for another.
 * A binary frame (v6) is checked as strictly, field by field (lib/protocol/binary-envelope.ts).
 */
export function checkFrame(
  frame: string | ArrayBuffer | ArrayBufferView,
  senderId: string,
  maxFrameBytes: number,
  bytes = frameBytes(frame, maxFrameBytes),
): FrameVerdict {
  if (bytes > maxFrameBytes) {
    return { ok: false, code: 'FRAME_TOO_LARGE', message: `frame over ${maxFrameBytes} bytes`, bytes };
  }
  if (typeof frame !== 'string') {
    const b = decodeBinaryEnvelope(frameBytesOf(frame));
    if (!b.ok) {
      const code = b.code === 'unknown-type' ? 'UNKNOWN_TYPE' : 'BAD_FRAME';
      return { ok: false, code, message: `binary frame: ${b.code}`, bytes };
    }
    if (b.envelope.from !== senderId) {
      return { ok: false, code: 'BAD_FRAME', message: 'from does not match the connection', bytes };
    }
    const { type, from, to } = b.envelope;
    return { ok: true, envelope: to === undefined ? { type, from } : { type, from, to }, bytes };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(frame);
  } catch {
    return { ok: false, code: 'BAD_FRAME', message: 'frame is not JSON', bytes };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, code: 'BAD_FRAME', message: 'frame is not a JSON object', bytes };
  }
  const type = 'type' in parsed ? parsed.type : undefined;
  if (typeof type !== 'string') {
    return { ok: false, code: 'BAD_FRAME', message: 'frame has no string type', bytes };
  }
  if (!knownTypes.has(type)) {
    return { ok: false, code: 'UNKNOWN_TYPE', message: 'unknown message type', bytes };
  }
  const envelope = envelopeSchema.safeParse(parsed);
  if (!envelope.success) {
    return { ok: false, code: 'BAD_FRAME', message: 'frame is not a valid envelope', bytes };
  }
  if (envelope.data.from !== senderId) {
    return { ok: false, code: 'BAD_FRAME', message: 'from does not match the connection', bytes };
  }
  return { ok: true, envelope: envelope.data, bytes };
}
