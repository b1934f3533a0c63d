import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../../lib/crypto/base64url';
import { newDeviceId } from '../../lib/model/ids';
import { PROTOCOL_VERSION } from '../../lib/protocol/envelope';
import { createPairingLink } from '../../lib/pairing/pairing-link';
import { readLaunch, readLink } from '../../lib/ui/phone-launch.svelte';
import { createUsedSessions } from '../../relay/app/used-sessions';

const ORIGIN = 'http://127.0.0.1:8787';
const NOW = 1_800_000_000_000;
const never = () => false;

function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m };
}

describe('phone launch', () => {
  it('opens the list at the root, with or without a stray fragment', () => {
    expect(readLaunch(`${ORIGIN}/`, NOW, never)).toEqual({ view: 'list' });
    expect(readLaunch(`${ORIGIN}/#whatever`, NOW, never)).toEqual({ view: 'list' });
  });

  it('starts pairing from a valid /p link', () => {
    const link = createPairingLink({ relayOrigin: ORIGIN, hostId: newDeviceId(), now: NOW });
    expect(new URL(link.url).pathname).toBe('/p');
    const l = readLaunch(link.url, NOW + 1000, never);
    expect(l.view).toBe('pair');
    expect(l.view === 'pair' && l.link.sessionId).toBe(link.sessionId);
  });

  it('starts pairing from a link of the first form (/pair#v=…)', () => {
    const link = createPairingLink({ relayOrigin: ORIGIN, hostId: newDeviceId(), now: NOW });
    const old = `${ORIGIN}/pair#${new URLSearchParams({
      v: String(PROTOCOL_VERSION),
      s: link.sessionId,
      k: toBase64Url(link.sessionKey),
      d: link.hostId,
      e: String(link.expiresAt),
    })}`;
    const l = readLaunch(old, NOW + 1000, never);
    expect(l.view === 'pair' && l.link.sessionId).toBe(link.sessionId);
    expect(l.view === 'pair' && l.link.sessionKey).toEqual(link.sessionKey);
  });

  it.each(['/p', '/pair'])('explains a %s link without a fragment as incomplete', (path) => {
    expect(readLaunch(`${ORIGIN}${path}`, NOW, never)).toMatchObject({
      view: 'link-problem',
      problem: 'malformed',
      title: 'This pairing link is incomplete',
    });
  });

  it('explains an expired link', () => {
    const link = createPairingLink({ relayOrigin: ORIGIN, hostId: newDeviceId(), now: NOW });
    expect(readLaunch(link.url, NOW + 6 * 60_000, never)).toMatchObject({
      view: 'link-problem',
      problem: 'expired',
    });
  });

  it('explains a link this phone already used', () => {
    const link = createPairingLink({ relayOrigin: ORIGIN, hostId: newDeviceId(), now: NOW });
    const used = createUsedSessions(memoryStorage());
    used.add(link.sessionId);
    expect(readLaunch(link.url, NOW, used.has)).toMatchObject({
      view: 'link-problem',
      problem: 'used',
      message: expect.stringContaining('Pair a device'),
    });
  });

  it('reads scanned text that is not a URL as a malformed link rather than throwing', () => {
    expect(readLink('hello there', NOW, never)).toMatchObject({ view: 'link-problem', problem: 'malformed' });
    expect(readLink('', NOW, never)).toMatchObject({ view: 'link-problem', problem: 'malformed' });
  });
});

describe('used sessions', () => {
  it('remembers joined sessions across instances and keeps only the newest 50', () => {
    const storage = memoryStorage();
    const a = createUsedSessions(storage);
    for (let i = 0; i < 60; i++) a.add(`s${i}`);
    const b = createUsedSessions(storage);
    expect(b.has('s59')).toBe(true);
    expect(b.has('s10')).toBe(true);
    expect(b.has('s9')).toBe(false);
  });

  it('treats unreadable storage as nothing used', () => {
    const storage = memoryStorage();
    storage.m.set('tt.used-sessions', '{not json');
    expect(createUsedSessions(storage).has('x')).toBe(false);
    storage.m.set('tt.used-sessions', JSON.stringify({ evil: true }));
    expect(createUsedSessions(storage).has('evil')).toBe(false);
  });

  it('keeps working when storage refuses writes', () => {
    const used = createUsedSessions({
      getItem: () => null,
      setItem: () => {
        throw new DOMException('quota', 'QuotaExceededError');
      },
    });
    expect(() => used.add('x')).not.toThrow();
  });
});
