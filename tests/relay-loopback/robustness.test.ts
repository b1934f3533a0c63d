import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { MAX_FRAME_BYTES } from '../../lib/protocol/envelope';
import { freePort } from '../../scripts/relay-process.mjs';
import { createDevice, envelope, inbound, waitFor } from './client';
import { rawUpgrade } from './raw-socket';

/** A raw socket (not partysocket) so binary frames and junk can be sent as is. */
async function rawSocket(
  room: string,
  id: string,
): Promise<{ ws: WebSocket; received: string[]; next(): Promise<string> }> {
  const ws = new WebSocket(`ws://${inject('relayHost')}/parties/relay/${room}?_pk=${id}`);
  const received: string[] = [];
  let taken = 0;
  const listeners = new Set<() => void>();
  ws.addEventListener('message', (event) => {
    received.push(typeof event.data === 'string' ? event.data : '<binary>');
    for (const l of [...listeners]) l();
  });
  const subscribe = (check: () => void): (() => void) => {
    listeners.add(check);
    return () => listeners.delete(check);
  };
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true });
    ws.addEventListener('error', () => reject(new Error('socket failed to open')), { once: true });
  });
  return {
    ws,
    received,
    async next() {
      await waitFor('next frame', subscribe, () => received.length > taken);
      return received[taken++] ?? '';
    },
  };
}

describe('relay robustness over loopback', () => {
  it('answers random bytes, truncated JSON and huge strings with errors, stays up, and forwards the next good frame', async () => {
    const room = crypto.randomUUID();
    const attackerId = crypto.randomUUID();
    const attacker = await rawSocket(room, attackerId);
    const peer = createDevice(room);
    await peer.opened();

    let seed = 0xc0ffee;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const valid = envelope(attackerId);
    const junk: (string | Uint8Array)[] = [];
    // Fewer than the strikes that close a socket (RELAY_LIMITS.strikeBurst): 9 × 3 + 4 = 31.
    for (let i = 0; i < 9; i++) {
      const bytes = new Uint8Array(1 + rand(256)).map(() => rand(256));
      junk.push(bytes, Buffer.from(bytes).toString('latin1'), valid.slice(0, rand(valid.length - 1)));
    }
    junk.push('['.repeat(200_000), `{"type":"${'A'.repeat(900_000)}"}`, 'z'.repeat(MAX_FRAME_BYTES + 1));
    junk.push(JSON.stringify({ type: 'SYNC_DATA', v: 1, from: attackerId, n: 'x', ct: '!!' }));

    for (const frame of junk) {
      attacker.ws.send(frame);
      const answer = inbound(await attacker.next());
      expect(answer?.type).toBe('ERROR');
    }
    const health = await fetch(`${inject('relayUrl')}/health`);
    expect(health.status).toBe(200);

    const good = envelope(attackerId);
    attacker.ws.send(good);
    await peer.receivedAtLeast(1);
    expect(peer.received).toEqual([good]);
    attacker.ws.close();
    peer.close();
  });

  it('refuses a browser origin that is not allowed', async () => {
    // fetch refuses an Upgrade header, and Node's WebSocket cannot set Origin: speak HTTP directly.
    const path = `/parties/relay/${crypto.randomUUID()}?_pk=${crypto.randomUUID()}`;
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const request = get(`${inject('relayUrl')}${path}`, {
        headers: {
          Origin: 'https://evil.example',
          Upgrade: 'websocket',
          Connection: 'Upgrade',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64'),
        },
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode);
      });
      request.on('upgrade', () => resolve(101));
      request.on('error', reject);
    });
    expect(status).toBe(403);
  });

  it.each(['http://evil.example', 'https://evil.example'])(
    'refuses the origin %s when the Host header is spoofed to match it',
    async (origin) => {
      const path = `/parties/relay/${crypto.randomUUID()}?_pk=${crypto.randomUUID()}`;
      const answer = await rawUpgrade(inject('relayPort'), path, { Origin: origin, Host: 'evil.example' });
      answer.socket.destroy();
      expect(answer.status).toBe(403);
    },
  );

  it('serves the static index page', async () => {
    const response = await fetch(`${inject('relayUrl')}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<html');
  });
});

describe('npm run relay', () => {
  it('listens on RELAY_PORT and exits cleanly on SIGTERM', async () => {
    const port = await freePort();
    const script = fileURLToPath(new URL('../../scripts/relay.mjs', import.meta.url));
    const child = spawn(process.execPath, [script], {
      env: { ...process.env, RELAY_PORT: String(port) },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let healthy = false;
    try {
      for (let attempt = 0; attempt < 300 && !healthy; attempt++) {
        healthy = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) })
          .then((r) => r.ok)
          .catch(() => false);
        if (!healthy) await new Promise((r) => setTimeout(r, 100));
      }
      expect(healthy).toBe(true);
    } finally {
      // The runner forwards the signal to wrangler's process group.
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    const after = await fetch(`http://127.0.0.1:${port}/health`).then(
      () => 'up',
      () => 'down',
    );
    expect(after).toBe('down');
  });
});
