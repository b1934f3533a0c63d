/**
 * How frames travel: sealing and opening, which key a frame needs, per-sender counters, and frames
 * held for a sender whose key is not known yet. Knows nothing of rounds or of who may join: the
 * admission layer tells it which peers exist (`setPeer`), and it proves each frame came from one.
 *
 * - JOIN and the refusals answering one travel under the link key (docs/protocol.md "Pairing").
 * - Every other frame travels under the pair key of sender and addressee, so it opens only for a
 *   device that holds the sender's identity and saw its JOIN. A frame from a device with no pair key
 *   yet is held (bounded) until admission names it: a vouched peer's opener can overtake the host's
 *   introduction, since they come over different sockets.
 * - Each frame carries the sender's counter `c` in its authenticated data. Under a pair key `c` must
 *   grow strictly, so a duplicated, replayed or reordered frame is dropped before anything sees it.
 */
import { toBase64Url } from '../crypto/base64url';
import {
  deriveFrameKey,
  derivePairKey,
  openFrame,
  sealFrameBinary,
  sealFrameJson,
  type FrameKey,
  type TranscriptParty,
} from '../crypto/frame-crypto';
import type { DeviceIdentity } from '../crypto/identity';
import type { DeviceId } from '../model/ids';
import {
  BINARY_MESSAGE_TYPES,
  inboundFrameSchema,
  PONG_FRAME,
  PROTOCOL_VERSION,
  type DeviceMessageType,
  type Envelope,
  type RelayErrorCode,
} from '../protocol/envelope';
import { parsePayload, type DeviceMessage, type WirePayloadOf } from '../protocol/messages';
import { isSerialized, type SerializedPayload } from '../protocol/wire-row';
import { decodeBinaryEnvelope, type BinaryEnvelope } from '../protocol/binary-envelope';
import type { Frame, Transport } from './ports';

/** Frames held per unknown sender, senders held at once, and bytes held in all: a stranger cannot grow it. */
const HOLD_FRAMES = 8;
const HOLD_SENDERS = 8;
const HOLD_BYTES = 1024 * 1024;
/** Types sent as binary frames (lib/protocol/envelope.ts): PUSH, SYNC_DATA. */
const BINARY_TYPES: ReadonlySet<DeviceMessageType> = new Set(BINARY_MESSAGE_TYPES);

export type Opened =
  | { kind: 'message'; msg: DeviceMessage; viaLink: boolean }
  | { kind: 'relay-error'; code: RelayErrorCode }
  | { kind: 'peer-left'; id: DeviceId }
  | { kind: 'ignored' }
  /** From a device whose key we lack (or not under the key we hold); `kept` if it fit the bound. */
  | { kind: 'held'; from: DeviceId; kept: boolean }
  /**
   * A frame in another protocol version: it cannot be opened (keys are bound to the version), but
   * the device must hear "update the other device" rather than silence. `v` is unauthenticated.
   */
  | { kind: 'version'; from: DeviceId; v: number }
  | { kind: 'dropped'; reason: string };

interface PeerKey {
  key: FrameKey;
  /** Highest counter accepted from this peer under this key. */
  lastIn: number;
}

export interface ChannelStats {
  framesSent: number;
  bytesSent: number;
  framesReceived: number;
  bytesReceived: number;
  framesDropped: number;
}

export function createChannel(opts: {
  transport: Transport;
  self: DeviceId;
  identity: DeviceIdentity;
  sessionId: string;
  sessionKey: Uint8Array<ArrayBuffer>;
  stats: ChannelStats;
  log: (level: 'debug' | 'warn' | 'error', message: string) => void;
}) {
  const { transport, self, identity, stats, log } = opts;
  const nonce = toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
  const selfParty: TranscriptParty = { id: self, keys: identity.public, nonce };
  const pairKeys = new Map<DeviceId, PeerKey>();
  const held = new Map<DeviceId, Frame[]>();
  /** Frames being replayed out of `held`: not held again. */
  const stale = new Set<Frame>();
  let heldBytes = 0;
  let linkKey: FrameKey | null = null;
  let counter = 0;
  /**
   * The last frame handed to the transport (or failed): frames leave in counter order. Sealing now
   * takes as long as compressing the payload, so a small frame sealed after a large one would
   * otherwise overtake it, and the receiver drops a counter that does not grow.
   */
  let tail: Promise<unknown> = Promise.resolve();

  const usesLinkKey = (type: DeviceMessageType, payload: unknown) =>
    type === 'JOIN' ||
    (type === 'ERROR' && (payload as { code?: string }).code?.startsWith('LINK_') === true);

  function drop(reason: string): Opened {
    stats.framesDropped++;
    log('warn', `dropped frame: ${reason}`);
    return { kind: 'dropped', reason };
  }

  function hold(from: DeviceId, frame: Frame): Opened {
    const q = held.get(from) ?? [];
    const full =
      q.length >= HOLD_FRAMES ||
      heldBytes + frame.length > HOLD_BYTES ||
      (!held.has(from) && held.size >= HOLD_SENDERS);
    if (full) {
      drop(`too much held from ${from}`);
      return { kind: 'held', from, kept: false };
    }
    q.push(frame);
    held.set(from, q);
    heldBytes += frame.length;
    return { kind: 'held', from, kept: true };
  }

  return {
    selfParty,
    async init() {
      linkKey = await deriveFrameKey(opts.sessionKey, opts.sessionId);
    },

    /** Derives the pair key for `peer` (a new one whenever its nonce changes); false if its key is unusable. */
    async setPeer(peer: TranscriptParty): Promise<boolean> {
      const key = await derivePairKey(identity, selfParty, peer, opts.sessionKey, opts.sessionId);
      if (!key) return false;
      pairKeys.set(peer.id as DeviceId, { key, lastIn: 0 });
      return true;
    },
    hasPeer: (id: DeviceId) => pairKeys.has(id),
    /** Frames `id` sent before we knew its key, oldest first; the caller feeds them back through `open`. */
    takeHeld(id: DeviceId): Frame[] {
      const q = held.get(id) ?? [];
      held.delete(id);
      for (const f of q) heldBytes -= f.length;
      // Replayed once: a frame that fails again is dropped, not held a second time.
      stale.clear();
      for (const f of q) stale.add(f);
      return q;
    },

    async send<T extends DeviceMessageType>(
      type: T,
      to: DeviceId | undefined,
      payload: WirePayloadOf<T> | SerializedPayload<T>,
    ): Promise<boolean> {
      if (!transport.isOpen) return false;
      let key: FrameKey | null;
      if (usesLinkKey(type, payload)) key = linkKey;
      else key = to ? (pairKeys.get(to)?.key ?? null) : null;
      if (!key) {
        log('error', `no key to send ${type}${to ? ` to ${to}` : ''}`);
        return false;
      }
      const c = ++counter;
      const header = to ? { type, from: self, to, c } : { type, from: self, c };
      const json = isSerialized(payload) ? payload.json : JSON.stringify(payload);
      // Sealing starts at once (a sender may build its next batch meanwhile); sending waits its turn.
      const sealed = BINARY_TYPES.has(type)
        ? sealFrameBinary(key, header, json)
        : sealFrameJson(key, header, json).then((env) => JSON.stringify(env));
      const sent = tail.then(async () => {
        const frame = await sealed;
        const ok = transport.send(frame);
        if (ok) {
          stats.framesSent++;
          stats.bytesSent += frame.length;
        }
        return ok;
      });
      tail = sent.catch(() => {});
      return sent;
    },

    async open(frame: Frame): Promise<Opened> {
      stats.framesReceived++;
      stats.bytesReceived += frame.length;
      if (frame === PONG_FRAME) return { kind: 'ignored' };
      let env: Envelope | BinaryEnvelope;
      if (typeof frame === 'string') {
        let json: unknown;
        try {
          json = JSON.parse(frame);
        } catch {
          return drop('not JSON');
        }
        const parsed = inboundFrameSchema.safeParse(json);
        if (!parsed.success) return drop('not a valid frame');
        const f = parsed.data;
        if ('device' in f) return { kind: 'peer-left', id: f.device as DeviceId };
        if ('code' in f) return { kind: 'relay-error', code: f.code };
        env = f;
      } else {
        const b = decodeBinaryEnvelope(frame);
        if (!b.ok) return drop(`binary frame ${b.code}`);
        env = b.envelope;
      }
      if (env.from === self || (env.to !== undefined && env.to !== self)) return { kind: 'ignored' };
      const from = env.from as DeviceId;
      if (env.v !== PROTOCOL_VERSION) {
        drop(`protocol version ${env.v}`);
        return { kind: 'version', from, v: env.v };
      }
      // One form per type: PUSH and SYNC_DATA only binary, the rest only JSON (no second spelling to test).
      if ((typeof frame === 'string') === BINARY_TYPES.has(env.type))
        return drop(`${env.type} from ${from} as a ${typeof frame === 'string' ? 'text' : 'binary'} frame`);
      const pk = pairKeys.get(from);
      let viaLink = false;
      let payload: unknown;
      if (env.type === 'JOIN' || (env.type === 'ERROR' && !pk)) {
        if (!linkKey) return drop('no link key yet');
        const o = await openFrame(linkKey, env);
        if (!o.ok) return drop(`${env.type} from ${from}: ${o.reason}`);
        viaLink = true;
        payload = o.payload;
      } else if (!pk) {
        return hold(from, frame);
      } else {
        let o = await openFrame(pk.key, env);
        // A link-level refusal (LINK_CANCELLED) from a device we already share a pair key with.
        if (!o.ok && env.type === 'ERROR' && linkKey) {
          o = await openFrame(linkKey, env);
          viaLink = o.ok;
        }
        // Not under the key we hold: perhaps a restarted peer's, under a pair key we derive once
        // admission hears its new nonce. Held like an unknown sender's (bounded); a forgery fails
        // again when replayed from there, and is dropped then.
        if (!o.ok)
          return stale.has(frame) ? drop(`${env.type} from ${from}: ${o.reason}`) : hold(from, frame);
        // Under our key but not after the last counter: a duplicate, a replay, or reordered.
        if (!viaLink && env.c <= pk.lastIn)
          return drop(`${env.type} from ${from}: counter ${env.c} not after ${pk.lastIn}`);
        if (!viaLink) pk.lastIn = env.c;
        payload = o.payload;
      }
      if (viaLink && !usesLinkKey(env.type, payload)) return drop(`${env.type} under the link key`);
      const p = parsePayload(env.type, payload);
      if (!p.ok) return drop(p.reason);
      const msg = { type: env.type, from, payload: p.value, ...(env.to ? { to: env.to as DeviceId } : {}) };
      return { kind: 'message', msg: msg as DeviceMessage, viaLink };
    },
  };
}
export type Channel = ReturnType<typeof createChannel>;
