import {
  DEVICE_MESSAGE_TYPES,
  envelopeSchema,
  type DeviceMessageType,
  type Envelope,
  type RelayErrorCode,
} from '../../lib/protocol/envelope';

export type FrameVerdict =
  | { ok: true; envelope: Envelope; bytes: number }
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
    return { ok: false, code: 'BAD_FRAME', message: 'binary frames are not accepted', bytes };
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
