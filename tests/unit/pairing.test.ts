import { PROTOCOL_VERSION } from '../../lib/protocol/envelope';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createPairingLink, LINK_TTL_MS, parsePairingLink } from '../../lib/pairing/pairing-link';
import { newDeviceId } from '../../lib/model/ids';

const hostId = newDeviceId();
const t0 = 1_700_000_000_000;

describe('pairing links', () => {
  it('parse back to what was encoded', () => {
    const link = createPairingLink({ relayOrigin: 'http://127.0.0.1:8787/some/path', hostId, now: t0 });
    expect(link.url.startsWith('http://127.0.0.1:8787/pair#')).toBe(true);
    const r = parsePairingLink(link.url, t0 + 1000);
    expect(r).toEqual({ ok: true, link });
  });

  it('keep every secret in the fragment', () => {
    const link = createPairingLink({ relayOrigin: 'https://relay.example', hostId, now: t0 });
    const u = new URL(link.url);
    expect(u.pathname + u.search).toBe('/pair');
    expect(u.hash).toContain(link.sessionId);
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

  it('report a link from another protocol version', () => {
    const link = createPairingLink({ relayOrigin: 'https://relay.example', hostId, now: t0 });
    const r = parsePairingLink(link.url.replace(`#v=${PROTOCOL_VERSION}&`, '#v=1&'), t0);
    expect(r.ok === false && r.code).toBe('wrong-version');
  });

  const malformed: [string, string][] = [
    ['random text', 'hello'],
    ['a link without a fragment', 'https://relay.example/pair'],
    ['another path', 'https://relay.example/other#v=1'],
    ['a non-web scheme', 'javascript:alert(1)//pair#v=1'],
  ];
  for (const [what, text] of malformed) {
    it(`reject ${what} as malformed`, () => {
      const r = parsePairingLink(text, t0);
      expect(r.ok === false && r.code).toBe('malformed');
    });
  }

  for (const field of ['s', 'k', 'd', 'e']) {
    it(`reject a link whose "${field}" is damaged`, () => {
      const link = createPairingLink({ relayOrigin: 'https://relay.example', hostId, now: t0 });
      const u = new URL(link.url);
      const p = new URLSearchParams(u.hash.slice(1));
      p.set(field, p.get(field)!.slice(0, -3) + '!!');
      u.hash = p.toString();
      const r = parsePairingLink(u.href, t0);
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
});
