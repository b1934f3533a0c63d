/**
 * Payloads of device-to-device messages: the plaintext inside an envelope's `ct`. One schema per
 * message type, types inferred from the schemas; every inbound payload is `safeParse`d against the
 * schema for its envelope type before the engine sees it. Wire shapes are pinned by
 * tests/fixtures/protocol-v<PROTOCOL_VERSION>.json: changing one needs a PROTOCOL_VERSION bump.
 * Documented in docs/protocol.md.
 */
import { z } from 'zod';
import { DEVICE_KINDS } from '../sync/device-label';
import { HLC_RE, UUID_RE } from '../model/patterns';
import { isHlc, type Hlc } from '../model/hlc';
import { isTodoId, type DeviceId, type TodoId } from '../model/ids';
import { DESCRIPTION_MAX, PRIORITIES, TITLE_MAX } from '../model/todo';
import { DUE_DATE_RE, isDueDate, type DueDate } from '../model/due-date';
import type { DeviceMessageType } from './envelope';
import { isWireRow, WIRE_X_MAX, WIRE_X_RE } from './wire-row-check';
import { MAX_MEMBERS } from '../circle/roster';

const uuid = z.string().regex(UUID_RE);
export const deviceIdSchema = uuid.transform((s) => s as DeviceId);
export const hlcSchema = z
  .string()
  .regex(HLC_RE)
  .refine(isHlc, 'not an HLC stamp')
  .transform((s) => s as Hlc);
const todoIdSchema = z
  .string()
  .max(80)
  .refine(isTodoId, 'not a todo id')
  .transform((s) => s as TodoId);
/** Display names are cut to this many UTF-16 units wherever they enter (deviceName() in sync). */
export const DEVICE_NAME_MAX = 100;
const nameSchema = z.string().max(DEVICE_NAME_MAX);
/** A 32-byte public key, base64url without padding. */
const publicKeySchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
export const publicIdentitySchema = z.strictObject({ sig: publicKeySchema, dh: publicKeySchema });
/** 16 random bytes naming one engine instance in the pairing transcript. */
export const joinNonceSchema = z.string().regex(/^[A-Za-z0-9_-]{22}$/);
/** Most devices one vector, one session or one vouch list may name: bounds what a peer makes us hold. */
export const MAX_VECTOR_DEVICES = 1000;
export const MAX_SESSION_PEERS = 8;
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** Version vector on the wire: stamps only, since each stamp names its device. One per device. */
export const vectorSchema = z
  .array(hlcSchema)
  .max(MAX_VECTOR_DEVICES)
  .refine((stamps) => new Set(stamps.map((s) => s.slice(15))).size === stamps.length, 'one stamp per device');

/**
 * A due date: `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`, floating local time (the same wall date and time on
 * every device, whatever its zone), and a day and time that exist (lib/model/due-date.ts).
 */
const dueDateSchema = z
  .string()
  .regex(DUE_DATE_RE)
  .refine(isDueDate, 'not a calendar date')
  .transform((s) => s as DueDate);

/**
 * A todo row on the wire, compact because every byte of a one-change sync counts:
 * `f` = values in SYNC_FIELDS order (title, description, completed, priority, due_date, deleted),
 * `s` = the distinct stamps of the row, `h` = for each field the index of its stamp in `s`.
 * `x` (v6, absent on a plain row) = the causal contexts beyond the stamps (lib/model/causal-extras.ts):
 * up to 7 comma-separated groups, a field's `ctx` extras then `seen` extras, each stamp one index
 * character into `s` (`0-9a-zA-Z`), `-` for an empty `ctx`. See docs/protocol.md "Conflicts".
 * The creator device is the id's prefix, so it is not sent.
 */
const stampIndex = (ch: string) =>
  ch <= '9' ? ch.charCodeAt(0) - 48 : ch <= 'Z' ? ch.charCodeAt(0) - 29 : ch.charCodeAt(0) - 87;
export const wireRowSchema = z
  .strictObject({
    id: todoIdSchema,
    c: count,
    f: z.tuple([
      z.string().min(1).max(TITLE_MAX),
      z.string().max(DESCRIPTION_MAX).nullable(),
      z.boolean(),
      z.enum(PRIORITIES),
      dueDateSchema.nullable(),
      z.boolean(),
    ]),
    s: z.array(hlcSchema).min(1).max(62),
    h: z.string().regex(/^[0-5]{6}$/),
    x: z.string().min(1).max(WIRE_X_MAX).regex(WIRE_X_RE).optional(),
  })
  .refine((r) => [...r.h].every((d) => Number(d) < r.s.length), 'stamp index out of range')
  .refine(
    (r) => r.x === undefined || [...r.x].every((c) => c === ',' || c === '-' || stampIndex(c) < r.s.length),
    'context stamp index out of range',
  );
export type WireRow = z.infer<typeof wireRowSchema>;

const streamId = z.string().regex(/^[0-9a-z]{8,16}$/);

/** One signed roster entry (lib/circle/roster.ts). */
export const rosterEntrySchema = z.strictObject({
  id: deviceIdSchema,
  keys: publicIdentitySchema,
  name: nameSchema,
  addedBy: deviceIdSchema,
  addedAt: count,
  sig: z.string().regex(/^[A-Za-z0-9_-]{86}$/),
});
const signature = z.string().regex(/^[A-Za-z0-9_-]{86}$/);
const epochNumber = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
/** One removal: the roster entry (by its signature) that never counts again (lib/circle/epoch.ts). */
export const removalSchema = z.strictObject({
  id: deviceIdSchema,
  entry: signature,
  name: nameSchema,
  by: deviceIdSchema,
  at: count,
});
/** A removal's new epoch, signed by the member that made it: roots, removals, wrapped secrets. */
export const epochRecordSchema = z.strictObject({
  epoch: epochNumber.min(2),
  by: deviceIdSchema,
  at: count,
  members: z.array(rosterEntrySchema).min(1).max(MAX_MEMBERS),
  removed: z
    .array(removalSchema)
    .min(1)
    .max(4 * MAX_MEMBERS),
  check: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
  /** Member id → the epoch secret wrapped for it (12-byte nonce ‖ 32 bytes ‖ 16-byte tag). */
  wraps: z.record(deviceIdSchema, z.string().regex(/^[A-Za-z0-9_-]{80}$/)),
  sig: signature,
});
/** A circle handed to a device joining it, under the pair key of a device already in it. */
export const circleSchema = z.strictObject({
  circle: z.strictObject({
    id: uuid,
    founder: deviceIdSchema,
    epoch: epochNumber,
    secret: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
    members: z.array(rosterEntrySchema).min(1).max(MAX_MEMBERS),
    base: epochRecordSchema.optional(),
  }),
});
/**
 * A new epoch, told in the room of the epoch before (v4): the signed record, the sender's roster
 * entries the record lacks (added since), and the secret wrapped by the sender for a receiver the
 * record has no wrap for (added meanwhile).
 */
export const epochSchema = z.strictObject({
  record: epochRecordSchema,
  roster: z.array(rosterEntrySchema).max(MAX_MEMBERS),
  wrap: z
    .string()
    .regex(/^[A-Za-z0-9_-]{80}$/)
    .optional(),
});

export const joinSchema = z
  .strictObject({
    /** Display name of the joining device ("Chrome on work laptop"). */
    name: nameSchema,
    /**
     * The sender's identity public keys, bound into every pair key it derives. Required in a pairing
     * (admission ignores a JOIN without them); left out of circle JOINs since v5, where the sender's
     * roster entry names them (sent anyway, they must equal the entry's).
     */
    keys: publicIdentitySchema.optional(),
    /** Fresh per engine instance: a restarted device derives new pair keys, a replayed JOIN none. */
    nonce: joinNonceSchema,
    /** The receiver's nonce this JOIN answers (absent in a first broadcast): proves it is live. */
    echo: joinNonceSchema.optional(),
    /**
     * Circle rooms only: the sender's roster, so members added while the receiver was away are known.
     * Since v4 only in an answer to a member whose `rh` differs from the sender's.
     */
    roster: z.array(rosterEntrySchema).max(MAX_MEMBERS).optional(),
    /** Circle rooms only (v4): digest of the sender's roster (16 hex digits). */
    rh: z
      .string()
      .regex(/^[0-9a-f]{16}$/)
      .optional(),
    /** Circle rooms only (v4): digest of the sender's version vector; equal digests skip the catch-up round. */
    vh: z
      .string()
      .regex(/^[0-9a-f]{16}$/)
      .optional(),
    /** Circle rooms only (v4): what kind of device the sender is, for the Devices view. */
    kind: z.enum(DEVICE_KINDS).optional(),
  })
  // Keys may be left out only by a circle JOIN, which always carries its roster digest.
  .refine((j) => j.keys !== undefined || j.rh !== undefined, 'identity keys are required outside a circle');
/** A device the host vouches for: a guest talks only to the host and to these. */
export const vouchedPeerSchema = z.strictObject({
  id: uuid,
  name: nameSchema,
  keys: publicIdentitySchema,
  nonce: joinNonceSchema,
});
export const metadataExchangeSchema = z.strictObject({
  name: nameSchema,
  /** Sender's version vector: the peer streams every row not dominated by it. */
  vector: vectorSchema,
  /** True when the sender wants the peer's metadata back (it opened this round). */
  reply: z.boolean(),
  /** Host only: the other devices it admitted, with their keys; a guest opens rounds with each. */
  peers: z.array(vouchedPeerSchema).max(MAX_SESSION_PEERS),
});
export const requestSyncSchema = z.strictObject({
  /** Re-asks for a stream after a broken one; same meaning as METADATA_EXCHANGE.vector. */
  vector: vectorSchema,
});
export const syncDataSchema = z.strictObject({
  stream: streamId,
  /** 0, 1, 2, … within the stream; a gap means frames were lost and the stream is abandoned. */
  seq: count,
  /** Rows the sender expects to send in this stream (an upper bound, for progress). */
  total: count,
  rows: z.array(wireRowSchema),
});
export const syncCompleteSchema = z.strictObject({
  stream: streamId,
  /** Number of SYNC_DATA frames before this one. */
  seq: count,
  total: count,
  /** The final batch (often the only one), applied with the vector in one transaction. */
  rows: z.array(wireRowSchema),
  /** Sender's vector snapshotted when the stream began; adopted by the receiver only now. */
  vector: vectorSchema,
});
/**
 * The receiver's confirmation that it applied a whole stream: only then is the sender's half of a
 * round a success. `held` rows were refused (a clock far ahead) and wait for a later round.
 */
export const syncAckSchema = z.strictObject({
  stream: streamId,
  applied: count,
  held: count,
});
/** Most rows one PUSH carries; a larger local change (an import, a bulk edit) goes by rounds instead. */
export const MAX_PUSH_ROWS = 64;
/**
 * A live push (v5, circles only): the rows of this device's latest local commits, to one member.
 * Applied like round rows (same checks, same merge); it moves no version vector and is not
 * acknowledged, so a lost or refused push is caught up by the next round (docs/protocol.md "Live push").
 */
export const pushSchema = z.strictObject({
  rows: z.array(wireRowSchema).min(1).max(MAX_PUSH_ROWS),
  /**
   * The sender's own stamp at its previous push: every write of the sender after it, up to its
   * greatest stamp in `rows`, is in `rows`. A receiver that holds the sender's writes up to `since`
   * may move its vector entry for the sender to that stamp.
   */
  since: hlcSchema,
});
/** PUSH without its rows, which parseBatch checks one by one. */
const pushHeadSchema = z.strictObject({ rows: z.array(z.never()), since: hlcSchema });
/** Under the link key (answering a JOIN): LINK_*. Under a pair key: APPLY_FAILED. */
export const DEVICE_ERROR_CODES = ['LINK_USED', 'LINK_EXPIRED', 'LINK_CANCELLED', 'APPLY_FAILED'] as const;
export type DeviceErrorCode = (typeof DEVICE_ERROR_CODES)[number];
export const deviceErrorSchema = z.strictObject({
  code: z.enum(DEVICE_ERROR_CODES),
  /** APPLY_FAILED: the stream that could not be applied. */
  stream: streamId.optional(),
});

export const payloadSchemas = {
  JOIN: joinSchema,
  METADATA_EXCHANGE: metadataExchangeSchema,
  REQUEST_SYNC: requestSyncSchema,
  SYNC_DATA: syncDataSchema,
  SYNC_COMPLETE: syncCompleteSchema,
  SYNC_ACK: syncAckSchema,
  ERROR: deviceErrorSchema,
  CIRCLE: circleSchema,
  EPOCH: epochSchema,
  PUSH: pushSchema,
} as const satisfies Record<DeviceMessageType, z.ZodType>;

export type PayloadOf<T extends DeviceMessageType> = z.output<(typeof payloadSchemas)[T]>;
export type WirePayloadOf<T extends DeviceMessageType> = z.input<(typeof payloadSchemas)[T]>;

/** A validated inbound message, discriminated by type. */
export type DeviceMessage = {
  [T in DeviceMessageType]: { type: T; from: DeviceId; to?: DeviceId; payload: PayloadOf<T> };
}[DeviceMessageType];

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

export function parsePayload<T extends DeviceMessageType>(
  type: T,
  payload: unknown,
): ParseResult<PayloadOf<T>> {
  if (type === 'SYNC_DATA' || type === 'SYNC_COMPLETE' || type === 'PUSH')
    return parseBatch(type, payload) as ParseResult<PayloadOf<T>>;
  const r = payloadSchemas[type].safeParse(payload);
  if (!r.success)
    return {
      ok: false,
      reason: `${type}: ${r.error.issues[0]?.message ?? 'invalid'} at ${r.error.issues[0]?.path.join('.') ?? ''}`,
    };
  return { ok: true, value: r.data as PayloadOf<T> };
}

/**
 * A sync batch: the frame's own fields through its schema, the rows (up to thousands) through
 * `isWireRow`, which is as strict as `wireRowSchema` and an order of magnitude cheaper.
 */
function parseBatch(
  type: 'SYNC_DATA' | 'SYNC_COMPLETE' | 'PUSH',
  payload: unknown,
): ParseResult<PayloadOf<'SYNC_DATA' | 'SYNC_COMPLETE' | 'PUSH'>> {
  const rows = (payload as { rows?: unknown } | null)?.rows;
  if (!Array.isArray(rows)) return { ok: false, reason: `${type}: rows is not a list at rows` };
  if (type === 'PUSH' && (rows.length < 1 || rows.length > MAX_PUSH_ROWS))
    return { ok: false, reason: `PUSH: ${rows.length} rows at rows` };
  const head = (type === 'PUSH' ? pushHeadSchema : payloadSchemas[type]).safeParse({
    ...(payload as object),
    rows: [],
  });
  if (!head.success)
    return {
      ok: false,
      reason: `${type}: ${head.error.issues[0]?.message ?? 'invalid'} at ${head.error.issues[0]?.path.join('.') ?? ''}`,
    };
  for (let i = 0; i < rows.length; i++)
    if (!isWireRow(rows[i])) return { ok: false, reason: `${type}: not a valid row at rows.${i}` };
  return { ok: true, value: { ...head.data, rows: rows as WireRow[] } };
}
