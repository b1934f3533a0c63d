/**
 * End-to-end encryption of device frames. The relay sees only the envelope; the payload is AES-GCM
 * under a key derived (HKDF-SHA-256) from the 32-byte session key in the pairing link. The
 * envelope's v/type/from/to are additional authenticated data, so a relay that relabels a frame
 * (another type, sender or addressee) makes it fail to decrypt. WebCrypto only: Node 22 and browsers.
 */
import { PROTOCOL_VERSION, type DeviceMessageType, type Envelope } from '../protocol/envelope';
import { fromBase64Url, toBase64Url } from './base64url';

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

export interface FrameHeader {
  type: DeviceMessageType;
  from: string;
  to?: string;
}

function aad(v: number, h: FrameHeader): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(JSON.stringify([v, h.type, h.from, h.to ?? null]));
}

/** Encrypts `payload` (any JSON value) into a wire envelope. */
export async function sealFrame(key: FrameKey, header: FrameHeader, payload: unknown): Promise<Envelope> {
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const plain = new TextEncoder().encode(JSON.stringify(payload));
  const ct = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv: nonce, additionalData: aad(PROTOCOL_VERSION, header) },
      key,
      plain,
    ),
  );
  const env: Envelope = {
    v: PROTOCOL_VERSION,
    type: header.type,
    from: header.from,
    n: toBase64Url(nonce),
    ct: toBase64Url(ct),
  };
  if (header.to !== undefined) env.to = header.to;
  return env;
}

export type OpenResult = { ok: true; payload: unknown } | { ok: false; reason: string };

/** Decrypts and JSON-parses a payload; never throws. Validation of the payload is the caller's next step. */
export async function openFrame(key: FrameKey, env: Envelope): Promise<OpenResult> {
  const nonce = fromBase64Url(env.n);
  const ct = fromBase64Url(env.ct);
  if (!nonce || nonce.length !== NONCE_BYTES || !ct) return { ok: false, reason: 'bad encoding' };
  let plain: ArrayBuffer;
  try {
    const h: FrameHeader = {
      type: env.type,
      from: env.from,
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
  try {
    return { ok: true, payload: JSON.parse(new TextDecoder().decode(plain)) };
  } catch {
    return { ok: false, reason: 'payload is not JSON' };
  }
}
