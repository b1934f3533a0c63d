import { describe, expect, it } from 'vitest';
import { openMemoryDb } from '../../lib/db/node-memory';
import { newDeviceId } from '../../lib/model/ids';
import { deviceLabel } from '../../lib/sync/device-label';
import {
  createRelaySetting,
  defaultRelayUrl,
  FALLBACK_RELAY_URL,
  parseRelayUrl,
} from '../../lib/sync/relay-url';

describe('relay url', () => {
  it.each([
    ['http://127.0.0.1:8787', 'http://127.0.0.1:8787'],
    ['https://relay.example.org/', 'https://relay.example.org'],
    ['  https://relay.example.org/x?y#z ', 'https://relay.example.org'],
  ])('accepts %s as %s', (text, url) => {
    expect(parseRelayUrl(text)).toEqual({ ok: true, url });
  });

  it.each([
    '',
    'relay.example.org',
    'ftp://relay.example.org',
    'javascript:alert(1)',
    'https://u:p@relay.example.org',
  ])('rejects %j', (text) => {
    expect(parseRelayUrl(text).ok).toBe(false);
  });

  it('defaults to the local relay when the build sets none or a broken one', () => {
    expect(defaultRelayUrl(undefined)).toBe(FALLBACK_RELAY_URL);
    expect(defaultRelayUrl('not a url')).toBe(FALLBACK_RELAY_URL);
    expect(defaultRelayUrl('https://relay.example.org/')).toBe('https://relay.example.org');
  });

  it('stores an override in kv and forgets it when set back to the default', async () => {
    const sql = await openMemoryDb();
    const s = createRelaySetting(sql, FALLBACK_RELAY_URL);
    expect(s.get()).toBe(FALLBACK_RELAY_URL);
    s.set('https://relay.example.org');
    expect(createRelaySetting(sql, FALLBACK_RELAY_URL).get()).toBe('https://relay.example.org');
    s.set(FALLBACK_RELAY_URL);
    expect(sql.all('SELECT * FROM kv')).toEqual([]);
  });
});

describe('device label', () => {
  const id = newDeviceId();
  it.each([
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0 Safari/537.36',
      'Chrome on Linux',
    ],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0', 'Firefox on Linux'],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/142.0 Safari/537.36 Edg/142.0',
      'Edge on Windows',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Mobile Safari/604.1',
      'Safari on iOS',
    ],
    [
      'Mozilla/5.0 (Linux; Android 15) AppleWebKit/537.36 Chrome/142.0 Mobile Safari/537.36',
      'Chrome on Android',
    ],
    ['curl/8', 'Browser'],
  ])('names %s "%s"', (ua, name) => {
    expect(deviceLabel(ua, id)).toBe(`${name} · ${id.slice(0, 4)}`);
  });
});
