import { env, exports } from 'cloudflare:workers';
import { listDurableObjectIds } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { BASE, connect, sessionUrl, upgrade, uuid } from './helpers';
import { TEST_LIMITS } from './test-limits';

async function objectExists(room: string): Promise<boolean> {
  const wanted = env.Relay.idFromName(room);
  return (await listDurableObjectIds(env.Relay)).some((id) => id.equals(wanted));
}

describe('request gate', () => {
  it('answers /health with ok', async () => {
    const response = await exports.default.fetch(`${BASE}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true });
  });

  it.each(['not-a-uuid', '123', 'D5B8E4C2-1A2B-4C3D-8E9F-0A1B2C3D4E5F'])(
    'refuses session id %s with 400 before creating an object',
    async (room) => {
      const response = await upgrade(sessionUrl(room, uuid()));
      expect(response.status).toBe(400);
      expect(response.webSocket).toBeNull();
      expect(await objectExists(room)).toBe(false);
    },
  );

  it('refuses a device id that is not a UUID with 400', async () => {
    const room = uuid();
    const response = await upgrade(`${BASE}/parties/relay/${room}?_pk=alice`);
    expect(response.status).toBe(400);
    expect(await objectExists(room)).toBe(false);
  });

  it('refuses a connection without a device id with 400', async () => {
    const room = uuid();
    const response = await upgrade(`${BASE}/parties/relay/${room}`);
    expect(response.status).toBe(400);
  });

  it('refuses a foreign browser origin with 403 before creating an object', async () => {
    const room = uuid();
    const response = await upgrade(sessionUrl(room, uuid()), 'https://evil.example');
    expect(response.status).toBe(403);
    expect(await objectExists(room)).toBe(false);
  });

  it.each([
    ['an unlisted Chrome extension', 'chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'],
    ['a look-alike of the relay origin', 'https://relay.test.evil.example'],
    ['a moz-extension origin with a path', 'moz-extension://abc/def'],
  ])('refuses %s', async (_name, origin) => {
    const response = await upgrade(sessionUrl(uuid(), uuid()), origin);
    expect(response.status).toBe(403);
  });

  it('refuses an origin that only matches the Host header it came with', async () => {
    // A page on evil.example whose DNS name points at the relay sends Host and Origin of evil.example.
    const room = uuid();
    const response = await upgrade(
      `https://evil.example/parties/relay/${room}?_pk=${uuid()}`,
      'https://evil.example',
    );
    expect(response.status).toBe(403);
    expect(await objectExists(room)).toBe(false);
  });

  it('refuses a loopback origin when loopback origins are not switched on', async () => {
    const response = await upgrade(sessionUrl(uuid(), uuid()), 'http://127.0.0.1:8787');
    expect(response.status).toBe(403);
  });

  it.each([
    ['the Chrome extension', 'chrome-extension://ohlbchoakgflhhfbbmllgmpgholagfif'],
    ['any Firefox extension install', `moz-extension://${uuid()}`],
    ['the configured public origin (phone app)', TEST_LIMITS.publicOrigin],
  ])('accepts %s', async (_name, origin) => {
    const device = await connect(uuid(), uuid(), origin);
    await device.barrier();
  });

  it('accepts a client that sends no Origin (not a browser)', async () => {
    const device = await connect(uuid());
    await device.barrier();
  });

  it('refuses a plain HTTP request to a session with 426', async () => {
    const room = uuid();
    const response = await exports.default.fetch(sessionUrl(room, uuid()));
    expect(response.status).toBe(426);
    expect(await objectExists(room)).toBe(false);
  });

  it('refuses another party name with 404', async () => {
    const response = await upgrade(`${BASE}/parties/main/${uuid()}?_pk=${uuid()}`);
    expect(response.status).toBe(404);
  });

  it('serves the static index from relay/public', async () => {
    const response = await exports.default.fetch(`${BASE}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('<html');
  });

  it.each(['/p', '/pair'])('serves the single-page app for a pairing link path such as %s', async (path) => {
    const response = await exports.default.fetch(`${BASE}${path}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<html');
  });
});

describe('security headers', () => {
  const cases: [string, () => Promise<Response>][] = [
    ['the phone app page', () => exports.default.fetch(`${BASE}/`)],
    ['a single-page-app path', () => exports.default.fetch(`${BASE}/pair`)],
    ['the compact pairing link path', () => exports.default.fetch(`${BASE}/p`)],
    ['/health', () => exports.default.fetch(`${BASE}/health`)],
    ['a refused origin (403)', () => upgrade(sessionUrl(uuid(), uuid()), 'https://evil.example')],
    ['a bad session id (400)', () => upgrade(sessionUrl('nope', uuid()))],
    ['a plain request to a session (426)', () => exports.default.fetch(sessionUrl(uuid(), uuid()))],
    ['another party (404)', () => upgrade(`${BASE}/parties/main/${uuid()}?_pk=${uuid()}`)],
  ];

  it.each(cases)('sends a strict CSP, no framing, no referrer and nosniff on %s', async (_name, request) => {
    const response = await request();
    const csp = response.headers.get('Content-Security-Policy') ?? '';
    const directives = new Map(
      csp.split(';').map((d) => {
        const [name = '', ...values] = d.trim().split(/\s+/);
        return [name, values] as const;
      }),
    );
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(directives.get('style-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'", 'wss://relay.test']);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers.get('X-Frame-Options')).toBe('DENY');
    expect(response.headers.get('Referrer-Policy')).toBe('no-referrer');
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
  });
});
