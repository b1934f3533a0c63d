/**
 * Pairing links: `${relayOrigin}/pair#v=<PROTOCOL_VERSION>&s=<session id>&k=<session key, base64url>&d=<device id>&e=<expiry ms>`.
 * Everything secret is in the fragment, which browsers never send to a server. A link is valid for
 * five minutes; single use is enforced by the showing device (see docs/protocol.md, "Pairing").
 */
import { fromBase64Url, toBase64Url } from '../crypto/base64url';
import { newSessionKey, SESSION_KEY_BYTES } from '../crypto/frame-crypto';
import { isDeviceId, isSessionId, newSessionId, type DeviceId, type SessionId } from '../model/ids';
import { PROTOCOL_VERSION } from '../protocol/envelope';

export const LINK_TTL_MS = 5 * 60 * 1000;

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
  const fragment = new URLSearchParams({
    v: String(PROTOCOL_VERSION),
    s: sessionId,
    k: toBase64Url(sessionKey),
    d: opts.hostId,
    e: String(expiresAt),
  });
  return {
    url: `${relayOrigin}/pair#${fragment}`,
    relayOrigin,
    sessionId,
    sessionKey,
    hostId: opts.hostId,
    expiresAt,
  };
}

const MALFORMED = "This isn't a pairing link. Copy the whole link shown on the other device and try again.";

export function parsePairingLink(text: string, now: number = Date.now()): LinkParse {
  const malformed = { ok: false, code: 'malformed', error: MALFORMED } as const;
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return malformed;
  }
  if (!/^https?:$/.test(url.protocol) || url.pathname !== '/pair' || url.hash.length < 2) return malformed;
  const p = new URLSearchParams(url.hash.slice(1));
  const v = p.get('v');
  if (v === null || !/^\d{1,4}$/.test(v)) return malformed;
  if (Number(v) !== PROTOCOL_VERSION) {
    return {
      ok: false,
      code: 'wrong-version',
      error:
        Number(v) > PROTOCOL_VERSION
          ? 'This link comes from a newer version of Todo-Tasker. Update this device and try again.'
          : 'This link comes from an older version of Todo-Tasker. Update the other device and try again.',
    };
  }
  const s = p.get('s');
  const d = p.get('d');
  const e = p.get('e');
  const key = fromBase64Url(p.get('k') ?? '');
  if (
    !isSessionId(s) ||
    !isDeviceId(d) ||
    !key ||
    key.length !== SESSION_KEY_BYTES ||
    e === null ||
    !/^\d{1,16}$/.test(e)
  ) {
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
    link: { url: url.href, relayOrigin: url.origin, sessionId: s, sessionKey: key, hostId: d, expiresAt },
  };
}
