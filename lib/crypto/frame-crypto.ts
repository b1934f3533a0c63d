/**
 * End-to-end encryption of device frames. The relay sees only the envelope; the payload is AES-GCM.
 * Two kinds of key:
 * - the link key, HKDF-SHA-256 of the 32-byte session key in the pairing link: only JOIN (and the
 *   refusals answering one) travel under it, so holding the link proves nothing about identity;
 * - a pair key per two devices, HKDF of their X25519 agreement *and* the link key, bound to the
 *   transcript (session id, both device ids, both identity keys, both JOIN nonces): a frame that
 *   opens under it was sealed by the one other device that holds that identity's private key and
 *   saw the same JOINs. Everything but JOIN travels under a pair key.
 * The envelope's v/type/from/to/c are additional authenticated data, so a relay that relabels a
 * frame (another type, sender, addressee or counter) makes it fail to decrypt. WebCrypto only.
 */
import { PROTOCOL_VERSION, type DeviceMessageType, type Envelope } from '../protocol/envelope';
import { encodeBinaryEnvelope, type BinaryEnvelope } from '../protocol/binary-envelope';
import { decodePayload, encodePayload } from '../protocol/payload-codec';
import { fromBase64Url, toBase64Url } from './base64url';
import { agree, type DeviceIdentity, type PublicIdentity } from './identity';

export const SESSION_KEY_BYTES = 32;
const NONCE_BYTES = 12;
const HKDF_INFO = `todo-tasker frame key v${PROTOCOL_VERSION}`;

export type FrameKey = CryptoKey & { readonly __brand?: 'FrameKey' };

export function newSessionKey(): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(SESSION_KEY_BYTES));
}

/** The session id is the HKDF salt, so one key reused across sessions still yields distinct frame keys. */
export async function deriveFrameKey(
  sessionKey: Uint8Array<ArrayBuffer>,
  sessionId: string,
): Promise<FrameKey> {
  if (sessionKey.length !== SESSION_KEY_BYTES) throw new RangeError('session key must be 32 bytes');
  const ikm = await crypto.subtle.importKey('raw', sessionKey, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: new TextEncoder().encode(sessionId),
      info: new TextEncoder().encode(HKDF_INFO),
    },
    ikm,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** One side of a pairing transcript: who, with which identity keys, in which engine instance. */
export interface TranscriptParty {
  id: string;
  keys: PublicIdentity;
  /** The JOIN nonce of the sender's current engine instance (fresh per start). */
  nonce: string;
}

/**
 * The key two devices share for this session. Both compute the same key: the parties are ordered
 * by id. Returns null when the peer's agreement key is unusable.
 */
export async function derivePairKey(
  self: DeviceIdentity,
  selfParty: TranscriptParty,
  peer: TranscriptParty,
  sessionKey: Uint8Array<ArrayBuffer>,
  sessionId: string,
): Promise<FrameKey | null> {
  const shared = await agree(self, peer.keys.dh);
  if (!shared) return null;
  const ikm = new Uint8Array(shared.length + sessionKey.length);
  ikm.set(shared);
  ikm.set(sessionKey, shared.length);
  const [a, b] = [selfParty, peer].sort((x, y) => (x.id < y.id ? -1 : 1));
  const transcript = JSON.stringify([
    `todo-tasker pair key v${PROTOCOL_VERSION}`,
    sessionId,
    [a!.id, a!.keys.sig, a!.keys.dh, a!.nonce],
    [b!.id, b!.keys.sig, b!.keys.dh, b!.nonce],
  ]);
  const base = await crypto.subtle.importKey('raw', ikm, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: new TextEncoder().encode(sessionId),
      info: new TextEncoder().encode(transcript),
    },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

export interface FrameHeader {
  type: DeviceMessageType;
  from: string;
  to?: string;
  /** The sender's frame counter. */
  c: number;
}

function aad(v: number, h: FrameHeader): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(JSON.stringify([v, h.type, h.from, h.to ?? null, h.c]));
}

/** Encrypts `payload` (any JSON value) into a wire envelope. */
export function sealFrame(key: FrameKey, header: FrameHeader, payload: unknown): Promise<Envelope> {
  return sealFrameJson(key, header, JSON.stringify(payload));
}

/** Compresses, pads (lib/protocol/payload-codec.ts) and seals a payload's JSON text: nonce and ciphertext. */
async function sealBytes(
  key: FrameKey,
  header: FrameHeader,
  json: string,
): Promise<{ n: Uint8Array<ArrayBuffer>; ct: Uint8Array<ArrayBuffer> }> {
  const n = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const plain = await encodePayload(json);
  const ct = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv: n, additionalData: aad(PROTOCOL_VERSION, header) },
      key,
      plain,
    ),
  );
  return { n, ct };
}

/**
 * Encrypts a payload already serialised as JSON text (a sync batch is assembled from rows
 * serialised once each) into a JSON envelope.
 */
export async function sealFrameJson(key: FrameKey, header: FrameHeader, json: string): Promise<Envelope> {
  const { n, ct } = await sealBytes(key, header, json);
  const env: Envelope = {
    v: PROTOCOL_VERSION,
    type: header.type,
    from: header.from,
    c: header.c,
    n: toBase64Url(n),
    ct: toBase64Url(ct),
  };
  if (header.to !== undefined) env.to = header.to;
  return env;
}

/** The same, as a binary frame (lib/protocol/binary-envelope.ts; since v6, for PUSH). */
export async function sealFrameBinary(
  key: FrameKey,
  header: FrameHeader,
  json: string,
): Promise<Uint8Array<ArrayBuffer>> {
  const { n, ct } = await sealBytes(key, header, json);
  return encodeBinaryEnvelope({
    v: PROTOCOL_VERSION,
    type: header.type,
    from: header.from,
    ...(header.to !== undefined ? { to: header.to } : {}),
    c: header.c,
    n,
    ct,
  });
}

export type OpenResult = { ok: true; payload: unknown } | { ok: false; reason: string };

/**
 * Decrypts, inflates (at most MAX_PAYLOAD_BYTES) and JSON-parses a payload; never throws.
 * Validation of the payload is the caller's next step.
 */
export async function openFrame(key: FrameKey, env: Envelope | BinaryEnvelope): Promise<OpenResult> {
  const nonce = typeof env.n === 'string' ? fromBase64Url(env.n) : env.n;
  const ct = typeof env.ct === 'string' ? fromBase64Url(env.ct) : env.ct;
  if (!nonce || nonce.length !== NONCE_BYTES || !ct) return { ok: false, reason: 'bad encoding' };
  let plain: ArrayBuffer;
  try {
    const h: FrameHeader = {
      type: env.type,
      from: env.from,
      c: env.c,
      ...(env.to !== undefined ? { to: env.to } : {}),
    };
    plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: nonce, additionalData: aad(env.v, h) },
      key,
      ct,
    );
  } catch {
    return { ok: false, reason: 'decryption failed (wrong key or tampered frame)' };
  }
  const d = await decodePayload(new Uint8Array(plain));
  // The reason names the PayloadErrorCode (lib/protocol/payload-codec.ts) for the log.
  return d.ok ? { ok: true, payload: d.value } : { ok: false, reason: `payload ${d.code}` };
}
