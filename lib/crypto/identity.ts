/**
 * A device's long-term identity: an Ed25519 signing key pair and an X25519 agreement key pair, made
 * once per install with WebCrypto. Why these and not P-256: 32-byte public keys (a JOIN stays
 * small), constant-time implementations in every engine we ship to, and support in Chromium 137+,
 * Firefox 130+ and Safari 17+ (verified here in Debian Chromium 156 and Firefox ESR 153 by the e2e
 * suites, which pair through them). docs/protocol.md ("Device identity").
 *
 * The private halves are stored only in this device's own database (kv) as PKCS#8 and imported as
 * non-extractable keys; they are never put in a frame, a log, an error, an export or a backup.
 */
import { fromBase64Url, toBase64Url } from './base64url';

export const PUBLIC_KEY_BYTES = 32;

/** What a device tells others about itself: its two public keys, base64url. */
export interface PublicIdentity {
  sig: string;
  dh: string;
}

export interface DeviceIdentity {
  readonly public: PublicIdentity;
  readonly signKey: CryptoKey;
  readonly dhKey: CryptoKey;
}

/** Private material as stored in this device's database; never leaves it. */
export interface StoredIdentity {
  sigPriv: string;
  sigPub: string;
  dhPriv: string;
  dhPub: string;
}

const ED = { name: 'Ed25519' } as const;
const X = { name: 'X25519' } as const;

async function exportPair(pair: CryptoKeyPair): Promise<{ priv: string; pub: string }> {
  const [priv, pub] = await Promise.all([
    crypto.subtle.exportKey('pkcs8', pair.privateKey),
    crypto.subtle.exportKey('raw', pair.publicKey),
  ]);
  return { priv: toBase64Url(new Uint8Array(priv)), pub: toBase64Url(new Uint8Array(pub)) };
}

/** Makes a fresh identity; the caller stores the result and then calls `loadIdentity`. */
export async function generateIdentity(): Promise<StoredIdentity> {
  const sig = (await crypto.subtle.generateKey(ED, true, ['sign', 'verify'])) as CryptoKeyPair;
  const dh = (await crypto.subtle.generateKey(X, true, ['deriveBits'])) as CryptoKeyPair;
  const [s, d] = await Promise.all([exportPair(sig), exportPair(dh)]);
  return { sigPriv: s.priv, sigPub: s.pub, dhPriv: d.priv, dhPub: d.pub };
}

export function isStoredIdentity(v: unknown): v is StoredIdentity {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return ['sigPriv', 'sigPub', 'dhPriv', 'dhPub'].every((k) => typeof o[k] === 'string');
}

/** Imports the private keys as non-extractable: from here on only this device can use them. */
export async function loadIdentity(s: StoredIdentity): Promise<DeviceIdentity> {
  const bytes = (b: string) => {
    const out = fromBase64Url(b);
    if (!out) throw new Error('The stored device identity is damaged.');
    return out;
  };
  const [signKey, dhKey] = await Promise.all([
    crypto.subtle.importKey('pkcs8', bytes(s.sigPriv), ED, false, ['sign']),
    crypto.subtle.importKey('pkcs8', bytes(s.dhPriv), X, false, ['deriveBits']),
  ]);
  return { public: { sig: s.sigPub, dh: s.dhPub }, signKey, dhKey };
}

/** A fresh in-memory identity (tests, benchmarks). */
export async function newIdentity(): Promise<DeviceIdentity> {
  return loadIdentity(await generateIdentity());
}

export function isPublicKey(b64: string): boolean {
  const b = fromBase64Url(b64);
  return b !== null && b.length === PUBLIC_KEY_BYTES;
}

/** X25519 shared secret with a peer's public agreement key; null for a key WebCrypto refuses. */
export async function agree(self: DeviceIdentity, peerDh: string): Promise<Uint8Array<ArrayBuffer> | null> {
  const raw = fromBase64Url(peerDh);
  if (!raw || raw.length !== PUBLIC_KEY_BYTES) return null;
  try {
    const pub = await crypto.subtle.importKey('raw', raw, X, false, []);
    return new Uint8Array(await crypto.subtle.deriveBits({ name: 'X25519', public: pub }, self.dhKey, 256));
  } catch {
    // A small-order point makes deriveBits fail: the peer's key is no key.
    return null;
  }
}

export async function sign(self: DeviceIdentity, data: Uint8Array<ArrayBuffer>): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.sign(ED, self.signKey, data)));
}

export async function verify(
  sigPub: string,
  signature: string,
  data: Uint8Array<ArrayBuffer>,
): Promise<boolean> {
  const pub = fromBase64Url(sigPub);
  const s = fromBase64Url(signature);
  if (!pub || pub.length !== PUBLIC_KEY_BYTES || !s || s.length !== 64) return false;
  try {
    const key = await crypto.subtle.importKey('raw', pub, ED, false, ['verify']);
    return await crypto.subtle.verify(ED, key, s, data);
  } catch {
    return false;
  }
}
