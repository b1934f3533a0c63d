import { PROTOCOL_VERSION } from '../../lib/protocol/envelope';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import QRCode from 'qrcode';
import { createPairingLink, LINK_TTL_MS, parsePairingLink } from '../../lib/pairing/pairing-link';
import { fromBase32, toBase32 } from '../../lib/pairing/base32';
import { toBase64Url } from '../../lib/crypto/base64url';
import { newDeviceId, newSessionId, type DeviceId, type SessionId } from '../../lib/model/ids';
import { QR_OPTIONS } from '../../lib/qr/qr-render';

const hostId = newDeviceId();
const t0 = 1_700_000_000_000;
/** Version nibble 0: not a UUID of any version. */
const NOT_UUID = new Uint8Array(16).map((_, i) => i + 1);

/** A link in the first form (`/pair#v=…&s=…`), as devices made them before 2026-12-02. */
function legacyLink(o: {
  origin?: string;
  sessionId?: SessionId;
  key?: Uint8Array;
  hostId?: DeviceId;
  expiresAt?: number;
  v?: number;
}): string {
  const p = new URLSearchParams({
    v: String(o.v ?? PROTOCOL_VERSION),
    s: o.sessionId ?? newSessionId(),
    k: toBase64Url(o.key ?? new Uint8Array(32).fill(7)),
    d: o.hostId ?? hostId,
    e: String(o.expiresAt ?? t0 + LINK_TTL_MS),
  });
  return `${o.origin ?? 'https://relay.example'}/pair#${p}`;
}

/** The compact link's five dot-separated fields, to damage one at a time. */
function fields(url: string): string[] {
  return new URL(url).hash.slice(1).split('.');
}
function withFields(url: string, f: string[]): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}#${f.join('.')}`;
}

describe('base32', () => {
  it('round-trips any bytes of a fixed length', () =>
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 40 }), (b) => {
        const s = toBase32(b);
        expect(s).toMatch(/^[A-Z2-7]*$/);
        expect(fromBase32(s, b.length)).toEqual(new Uint8Array(b));
      }),
    ));

  it('rejects lower case, other letters, wrong lengths and non-zero padding bits', () => {
    const s = toBase32(new Uint8Array(16).fill(0xab));
    expect(fromBase32(s.toLowerCase(), 16)).toBeNull();
    expect(fromBase32(s.slice(0, -1) + '1', 16)).toBeNull();
    expect(fromBase32(s.slice(0, -1), 16)).toBeNull();
    expect(fromBase32(s + 'A', 16)).toBeNull();
    // 16 bytes leave 2 unused bits in the last character: any spelling but the canonical one is refused.
    const last = s.at(-1)!;
    const other = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'['ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'.indexOf(last) + 1];
    expect(fromBase32(s.slice(0, -1) + other, 16)).toBeNull();
  });
});

describe('pairing links', () => {
  it('parse back to what was encoded', () => {
    const link = createPairingLink({ relayOrigin: 'http://127.0.0.1:8787/some/path', hostId, now: t0 });
    expect(link.url.startsWith('http://127.0.0.1:8787/p#')).toBe(true);
    const r = parsePairingLink(link.url, t0 + 1000);
    expect(r).toEqual({ ok: true, link });
  });

  it('round-trip any session, key, device and time', () =>
    fc.assert(
      fc.property(
        fc.uuid({ version: 4 }),
        fc.uuid({ version: 4 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        (s, d, key, now) => {
          const link = createPairingLink({
            relayOrigin: 'https://relay.example',
            hostId: d as DeviceId,
            sessionId: s as SessionId,
            sessionKey: new Uint8Array(key),
            now,
          });
          expect(parsePairingLink(link.url, now)).toEqual({ ok: true, link });
        },
      ),
    ));

  it('is 146 characters on the local relay and a version-6 QR at the panel error correction', () => {
    const link = createPairingLink({ relayOrigin: 'http://127.0.0.1:8787', hostId, now: Date.now() });
    expect(link.url).toHaveLength(146);
    expect(
      fields(link.url)
        .slice(1, 4)
        .map((f) => f.length),
    ).toEqual([26, 52, 26]);
    const qr = QRCode.create(link.url, { errorCorrectionLevel: QR_OPTIONS.errorCorrectionLevel });
    expect(qr.version).toBe(6);
    expect(qr.modules.size).toBe(41);
    const old = QRCode.create(legacyLink({ origin: 'http://127.0.0.1:8787', expiresAt: Date.now() }), {
      errorCorrectionLevel: QR_OPTIONS.errorCorrectionLevel,
    });
    expect(old.version).toBe(9);
  });

  it('keep every secret in the fragment', () => {
    const link = createPairingLink({ relayOrigin: 'https://relay.example', hostId, now: t0 });
    const u = new URL(link.url);
    expect(u.pathname + u.search).toBe('/p');
    expect(u.hash).toContain(toBase32(link.sessionKey));
  });

  it('tolerate surrounding whitespace from a paste', () => {
    const link = createPairingLink({ relayOrigin: 'https://relay.example', hostId, now: t0 });
    expect(parsePairingLink(`  ${link.url}\n`, t0).ok).toBe(true);
  });

  it('expire five minutes after creation', () => {
    const link = createPairingLink({ relayOrigin: 'https://relay.example', hostId, now: t0 });
    expect(parsePairingLink(link.url, t0 + LINK_TTL_MS).ok).toBe(true);
    const r = parsePairingLink(link.url, t0 + LINK_TTL_MS + 1);
    expect(r.ok === false && r.code).toBe('expired');
    expect(r.ok === false && r.error).toMatch(/expired/);
  });

  it('report a link from another protocol version, older or newer', () => {
    const link = createPairingLink({ relayOrigin: 'https://relay.example', hostId, now: t0 });
    for (const [v, words] of [
      ['1', /older/],
      [String(PROTOCOL_VERSION + 1), /newer/],
    ] as const) {
      const f = fields(link.url);
      f[0] = v;
      const r = parsePairingLink(withFields(link.url, f), t0);
      expect(r.ok === false && r.code).toBe('wrong-version');
      expect(r.ok === false && r.error).toMatch(words);
    }
  });

  const malformed: [string, string][] = [
    ['random text', 'hello'],
    ['a link without a fragment', 'https://relay.example/p'],
    ['a first-form link without a fragment', 'https://relay.example/pair'],
    ['another path', 'https://relay.example/other#v=1'],
    ['a path that only starts like one', 'https://relay.example/pa#3.A.B.C.1'],
    ['a non-web scheme', 'javascript:alert(1)//pair#v=1'],
    ['a compact fragment under the first path', 'https://relay.example/pair#3.A.B.C.1'],
  ];
  for (const [what, text] of malformed) {
    it(`reject ${what} as malformed`, () => {
      const r = parsePairingLink(text, t0);
      expect(r.ok === false && r.code).toBe('malformed');
      expect(r.ok === false && r.error).toMatch(/isn't a pairing link/);
    });
  }

  const damage: [string, (f: string[]) => string[]][] = [
    ['a field missing', (f) => f.slice(0, 4)],
    ['an extra field', (f) => [...f, 'X']],
    ['a version that is not a number', (f) => ['v3', ...f.slice(1)]],
    ['an empty version', (f) => ['', ...f.slice(1)]],
    ['a session one character short', (f) => [f[0]!, f[1]!.slice(1), ...f.slice(2)]],
    ['a session in lower case', (f) => [f[0]!, f[1]!.toLowerCase(), ...f.slice(2)]],
    ['16 bytes that are no UUID as session', (f) => [f[0]!, toBase32(NOT_UUID), ...f.slice(2)]],
    ['a key of 31 bytes', (f) => [...f.slice(0, 2), toBase32(new Uint8Array(31)), ...f.slice(3)]],
    ['a key in base64url', (f) => [...f.slice(0, 2), toBase64Url(new Uint8Array(32)), ...f.slice(3)]],
    ['a device with a foreign character', (f) => [...f.slice(0, 3), f[3]!.slice(1) + '0', f[4]!]],
    ['16 bytes that are no UUID as device', (f) => [...f.slice(0, 3), toBase32(NOT_UUID), f[4]!]],
    ['an expiry that is not a number', (f) => [...f.slice(0, 4), '1e12']],
    ['an expiry too long', (f) => [...f.slice(0, 4), '12345678901234567']],
    ['an empty expiry', (f) => [...f.slice(0, 4), '']],
  ];
  for (const [what, change] of damage) {
    it(`reject a compact link with ${what} as malformed`, () => {
      const link = createPairingLink({ relayOrigin: 'https://relay.example', hostId, now: t0 });
      const r = parsePairingLink(withFields(link.url, change(fields(link.url))), t0);
      expect(r.ok === false && r.code).toBe('malformed');
    });
  }

  it('never throws on arbitrary input', () =>
    fc.assert(
      fc.property(fc.string(), (s) => {
        const r = parsePairingLink(s, t0);
        expect(typeof r.ok).toBe('boolean');
      }),
    ));

  it('never throws on arbitrary compact fragments', () =>
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 60 }), { maxLength: 7 }), (parts) => {
        const r = parsePairingLink(`https://relay.example/p#${parts.join('.')}`, t0);
        expect(typeof r.ok).toBe('boolean');
      }),
    ));
});

describe('first-form pairing links (before 2026-12-02)', () => {
  it('still parse', () => {
    const sessionId = newSessionId();
    const key = new Uint8Array(32).map((_, i) => i);
    const url = legacyLink({ sessionId, key, expiresAt: t0 + LINK_TTL_MS });
    const r = parsePairingLink(url, t0);
    expect(r).toEqual({
      ok: true,
      link: {
        url,
        relayOrigin: 'https://relay.example',
        sessionId,
        sessionKey: key,
        hostId,
        expiresAt: t0 + LINK_TTL_MS,
      },
    });
  });

  it('parse a fixed link made by the first form', () => {
    const url = `http://127.0.0.1:8787/pair#v=${PROTOCOL_VERSION}&s=0b7d8a53-1f2e-4c6a-9d3b-5e8f7a6c4b21&k=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8&d=9c1e2f3a-4b5c-4d6e-8f70-a1b2c3d4e5f6&e=1700000300000`;
    const r = parsePairingLink(url, t0);
    expect(r.ok && r.link.sessionId).toBe('0b7d8a53-1f2e-4c6a-9d3b-5e8f7a6c4b21');
    expect(r.ok && r.link.hostId).toBe('9c1e2f3a-4b5c-4d6e-8f70-a1b2c3d4e5f6');
    expect(r.ok && Array.from(r.link.sessionKey)).toEqual(Array.from({ length: 32 }, (_, i) => i));
    expect(parsePairingLink(url, t0 + LINK_TTL_MS + 1)).toMatchObject({ ok: false, code: 'expired' });
  });

  it('report a first-form link from another protocol version', () => {
    const r = parsePairingLink(legacyLink({ v: 1 }), t0);
    expect(r.ok === false && r.code).toBe('wrong-version');
  });

  for (const field of ['s', 'k', 'd', 'e', 'v']) {
    it(`reject a first-form link whose "${field}" is damaged`, () => {
      const u = new URL(legacyLink({}));
      const p = new URLSearchParams(u.hash.slice(1));
      p.set(field, p.get(field)!.slice(0, -3) + '!!');
      u.hash = p.toString();
      const r = parsePairingLink(u.href, t0);
      expect(r.ok === false && r.code).toBe('malformed');
    });
    it(`reject a first-form link without "${field}"`, () => {
      const u = new URL(legacyLink({}));
      const p = new URLSearchParams(u.hash.slice(1));
      p.delete(field);
      u.hash = p.toString();
      expect(parsePairingLink(u.href, t0)).toMatchObject({ ok: false, code: 'malformed' });
    });
  }
});
