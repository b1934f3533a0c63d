/**
 * Pairing links. New links are compact (since 2026-12-02):
 * `${relayOrigin}/p#<PROTOCOL_VERSION>.<session id>.<session key>.<device id>.<expiry ms>` with the two
 * UUIDs (16 bytes) and the 32-byte key in upper-case base32 (RFC 4648, no padding) and the expiry in
 * decimal: every character after `#` is in the QR alphanumeric mode, so the QR is two versions smaller
 * than the first form's (docs/protocol.md, "Pairing links"). The first form,
 * `${relayOrigin}/pair#v=<PROTOCOL_VERSION>&s=<uuid>&k=<base64url>&d=<uuid>&e=<expiry ms>`, still parses.
 * Everything secret is in the fragment, which browsers never send to a server. A link is valid for
 * five minutes; single use is enforced by the showing device (see docs/protocol.md, "Pairing").
 */
import { parse as uuidBytes } from 'uuid';
import { fromBase64Url } from '../crypto/base64url';
import { newSessionKey, SESSION_KEY_BYTES } from '../crypto/frame-crypto';
import { isDeviceId, isSessionId, newSessionId, type DeviceId, type SessionId } from '../model/ids';
import { PROTOCOL_VERSION } from '../protocol/envelope';
import { fromBase32, toBase32 } from './base32';

export const LINK_TTL_MS = 5 * 60 * 1000;

/** The compact form's path; the relay serves the phone app on it as on every path. */
export const LINK_PATH = '/p';
/** The first form's path, still read (links made before 2026-12-02). */
export const LEGACY_LINK_PATH = '/pair';
export const isLinkPath = (path: string): boolean => path === LINK_PATH || path === LEGACY_LINK_PATH;

export interface PairingLink {
  url: string;
  relayOrigin: string;
  sessionId: SessionId;
  sessionKey: Uint8Array<ArrayBuffer>;
  /** The device that shows the link (the session's host). */
  hostId: DeviceId;
  expiresAt: number;
}

export type LinkErrorCode = 'malformed' | 'expired' | 'wrong-version';
export type LinkParse = { ok: true; link: PairingLink } | { ok: false; code: LinkErrorCode; error: string };

export function createPairingLink(opts: {
  relayOrigin: string;
  hostId: DeviceId;
  now?: number;
  sessionId?: SessionId;
  sessionKey?: Uint8Array<ArrayBuffer>;
}): PairingLink {
  const relayOrigin = new URL(opts.relayOrigin).origin;
  const sessionId = opts.sessionId ?? newSessionId();
  const sessionKey = opts.sessionKey ?? newSessionKey();
  const expiresAt = Math.floor((opts.now ?? Date.now()) + LINK_TTL_MS);
  const fragment = [
    String(PROTOCOL_VERSION),
    toBase32(uuidBytes(sessionId)),
    toBase32(sessionKey),
    toBase32(uuidBytes(opts.hostId)),
    String(expiresAt),
  ].join('.');
  return {
    url: `${relayOrigin}${LINK_PATH}#${fragment}`,
    relayOrigin,
    sessionId,
    sessionKey,
    hostId: opts.hostId,
    expiresAt,
  };
}

const MALFORMED = "This isn't a pairing link. Copy the whole link shown on the other device and try again.";

type Fields = { v: string; s: unknown; k: Uint8Array<ArrayBuffer> | null; d: unknown; e: string };

/** A version that is not a number is malformed; another number is `wrong-version`. */
const VERSION = /^\d{1,4}$/;
const EXPIRY = /^\d{1,16}$/;

/** 16 bytes in UUID text form; whether it is a valid UUID v4 is checked by the caller's `isSessionId`/`isDeviceId`. */
function uuidFrom32(s: string): string | null {
  const bytes = fromBase32(s, 16);
  if (!bytes) return null;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function compactFields(hash: string): Fields | null {
  const parts = hash.split('.');
  if (parts.length !== 5) return null;
  const [v, s, k, d, e] = parts as [string, string, string, string, string];
  return { v, s: uuidFrom32(s), k: fromBase32(k, SESSION_KEY_BYTES), d: uuidFrom32(d), e };
}

function legacyFields(hash: string): Fields | null {
  const p = new URLSearchParams(hash);
  const v = p.get('v');
  const e = p.get('e');
  if (v === null || e === null) return null;
  return { v, s: p.get('s'), k: fromBase64Url(p.get('k') ?? ''), d: p.get('d'), e };
}

export function parsePairingLink(text: string, now: number = Date.now()): LinkParse {
  const malformed = { ok: false, code: 'malformed', error: MALFORMED } as const;
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return malformed;
  }
  if (!/^https?:$/.test(url.protocol) || !isLinkPath(url.pathname) || url.hash.length < 2) return malformed;
  const hash = url.hash.slice(1);
  const f = url.pathname === LINK_PATH ? compactFields(hash) : legacyFields(hash);
  if (!f || !VERSION.test(f.v)) return malformed;
  if (Number(f.v) !== PROTOCOL_VERSION) {
    return {
      ok: false,
      code: 'wrong-version',
      error:
        Number(f.v) > PROTOCOL_VERSION
          ? 'This link comes from a newer version of Todo-Tasker. Update this device and try again.'
          : 'This link comes from an older version of Todo-Tasker. Update the other device and try again.',
    };
  }
  const { s, k, d, e } = f;
  if (!isSessionId(s) || !isDeviceId(d) || !k || k.length !== SESSION_KEY_BYTES || !EXPIRY.test(e)) {
    return malformed;
  }
  const expiresAt = Number(e);
  if (now > expiresAt) {
    return {
      ok: false,
      code: 'expired',
      error: 'This pairing link has expired (links last 5 minutes). Show a new one on the other device.',
    };
  }
  return {
    ok: true,
    link: {
      url: url.href,
      relayOrigin: url.origin,
      sessionId: s,
      sessionKey: k,
      hostId: d,
      expiresAt,
    },
  };
}
