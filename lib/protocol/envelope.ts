/**
 * The only part of a device-to-device frame the relay reads. Everything device-specific (todos,
 * device names, vectors) is inside `ct`, AES-GCM encrypted end to end; the relay never has the key.
 *
 * Wire form: one JSON text frame per message; since v6 a PUSH is a binary frame with the same fields
 * (binary-envelope.ts).
 *   device → relay → other devices: { v, type, from, to?, c, n, ct }
 *     v: protocol version (number); type: one of DEVICE_MESSAGE_TYPES; from: sender DeviceId;
 *     to: addressee DeviceId, absent = everyone in the session; c: the sender's frame counter
 *     (strictly increasing per sender instance; authenticated, so replays are detected);
 *     n: 12-byte nonce, base64url; ct: ciphertext, base64url.
 *   keep-alive: the exact text PING_FRAME, answered with PONG_FRAME by the relay itself.
 *   relay → device: { type: 'ERROR', from: 'relay', code, message } or { type: 'PEER_LEFT', from: 'relay', device }.
 * Documented in docs/protocol.md.
 */
import { z } from 'zod';
import { UUID_RE } from '../model/patterns';

export { UUID_RE };

/**
 * History in docs/protocol.md: 1 (2026-11) session key only; 2 (2026-12-01) device identities, pair
 * keys, counters, SYNC_ACK; 3 (2026-12-01) circles: CIRCLE, JOIN.roster, circle rooms; 4 (2026-12-02) removal: EPOCH, epoch records; 5 (2026-12-02)
 * payloads compressed before encryption and padded to Padmé lengths; PUSH (live push in circles); 6 (2026-12-02)
 * PUSH as a binary frame (binary-envelope.ts); 7 (2026-12-03) SYNC_DATA and SYNC_COMPLETE as binary frames too.
 */
export const PROTOCOL_VERSION = 7;

/** Message names from the original design. */
export const DEVICE_MESSAGE_TYPES = [
  'JOIN',
  'METADATA_EXCHANGE',
  'REQUEST_SYNC',
  'SYNC_DATA',
  'SYNC_COMPLETE',
  'SYNC_ACK',
  'ERROR',
  // Added in v3: a circle (secret and roster) handed to a device that joins it.
  'CIRCLE',
  // Added in v4: a new epoch (a device was removed), told in the room of the epoch before.
  'EPOCH',
  // Added in v5: a live push of the rows one local commit changed, to one member of the circle.
  'PUSH',
] as const;
export type DeviceMessageType = (typeof DEVICE_MESSAGE_TYPES)[number];

/**
 * The types a device sends only as binary frames (binary-envelope.ts); every other type only as a JSON
 * envelope, and a frame in the other form is dropped (one spelling per type). PUSH since v6: its JSON
 * envelope was more than half of a one-field change. SYNC_DATA and SYNC_COMPLETE (a stream's last
 * batch) since v7: a batch is almost all ciphertext, which base64url made a third bigger and cost an
 * encode, a JSON string of up to 256 KiB and a decode on every hop.
 */
export const BINARY_MESSAGE_TYPES: readonly DeviceMessageType[] = ['SYNC_DATA', 'SYNC_COMPLETE', 'PUSH'];

/** Fixed strings so the relay can answer with the runtime's auto-response while hibernated. */
export const PING_FRAME = '{"type":"PING"}';
export const PONG_FRAME = '{"type":"PONG"}';

/** Frames above this are refused by the relay; clients batch far below it. */
export const MAX_FRAME_BYTES = 1024 * 1024;
/** Senders keep each SYNC_DATA frame at or under this (after encryption and encoding). */
export const TARGET_BATCH_BYTES = 256 * 1024;

const uuid = z.string().regex(UUID_RE);
const b64url = z.string().regex(/^[A-Za-z0-9_-]*$/);

export const envelopeSchema = z.strictObject({
  v: z.number().int().positive(),
  type: z.enum(DEVICE_MESSAGE_TYPES),
  from: uuid,
  to: uuid.optional(),
  c: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  n: b64url.length(16),
  ct: b64url.max(MAX_FRAME_BYTES),
});
export type Envelope = z.infer<typeof envelopeSchema>;

/** Stable codes the relay answers with; documented in docs/protocol.md. */
export const RELAY_ERROR_CODES = [
  'BAD_FRAME', // not JSON, or not a valid envelope
  'UNKNOWN_TYPE', // envelope with a type the relay does not know
  'FRAME_TOO_LARGE', // over MAX_FRAME_BYTES
  'RATE_LIMITED', // sender over its frame or byte budget (RELAY_LIMITS); frame dropped
  'SESSION_FULL', // device cap reached; the socket is closed after this
  'SESSION_EXPIRED', // session time is up; sockets are closed after this
] as const;
export type RelayErrorCode = (typeof RELAY_ERROR_CODES)[number];

const MiB = 1024 * 1024;

/**
 * What the relay allows one socket (docs/relay.md "Limits"). Written once, here: the relay takes its
 * defaults from it (a wrangler var can override each), and clients pace their sending from it.
 */
export const RELAY_LIMITS = {
  /** Frames in, per socket: token bucket. Every frame counts, refused ones included. */
  framesPerSec: 100,
  frameBurst: 200,
  /**
   * Bytes in, per socket: token bucket. A 100,000-todo sync (~32 MB in ≤256 KiB batches) fits in the
   * burst; a flood of 100 × 1 MiB per second is cut to 16 MiB/s, and its refused frames close it.
   */
  bytesPerSec: 16 * MiB,
  byteBurst: 48 * MiB,
  /** Refused frames (invalid, too large, over a budget): a socket that exceeds this bucket is closed. */
  strikeBurst: 32,
  strikesPerSec: 1,
  /**
   * Bytes forwarded to one socket that it has not proven it read: over this, that reader is closed.
   * A PING proves the reader took everything sent before its previous PING (docs/relay.md).
   */
  outputCapBytes: 64 * MiB,
  /** Clients PING this often; a socket that sent nothing for liveWindowMs may be replaced. */
  keepaliveMs: 20_000,
  liveWindowMs: 45_000,
} as const;

/**
 * Close codes the relay ends a socket with (docs/relay.md). 4001 and 4003 are final: reconnecting
 * would be refused again (full) or start an empty new session (expired). The others are retryable with
 * back-off: 4002 a newcomer with this device id replaced a socket that had gone silent; 4004 this
 * device id is held by a live socket; 4005 the relay held more unread output for this socket than it
 * allows; 4006 too many refused frames.
 */
export const RELAY_CLOSE = {
  SESSION_FULL: 4001,
  REPLACED: 4002,
  SESSION_EXPIRED: 4003,
  DEVICE_IN_USE: 4004,
  SLOW_READER: 4005,
  TOO_MANY_ERRORS: 4006,
} as const;
export const isFinalRelayClose = (code: number) =>
  code === RELAY_CLOSE.SESSION_FULL || code === RELAY_CLOSE.SESSION_EXPIRED;

export const relayErrorSchema = z.strictObject({
  type: z.literal('ERROR'),
  from: z.literal('relay'),
  code: z.enum(RELAY_ERROR_CODES),
  message: z.string(),
});
export const peerLeftSchema = z.strictObject({
  type: z.literal('PEER_LEFT'),
  from: z.literal('relay'),
  device: uuid,
});
export type RelayError = z.infer<typeof relayErrorSchema>;
export type PeerLeft = z.infer<typeof peerLeftSchema>;

/** Everything a device can receive from the relay socket. */
export const inboundFrameSchema = z.union([envelopeSchema, relayErrorSchema, peerLeftSchema]);
export type InboundFrame = z.infer<typeof inboundFrameSchema>;
