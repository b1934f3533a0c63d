/**
 * The transport's permessage-deflate on protocol-6 frames (issue 13): does the local relay negotiate
 * it, and what does it do to our frames? `npm run bench:ws-compression`; prints figures, asserts
 * nothing; BENCHMARKS.md records them.
 *
 * 1. Negotiation: raw WebSocket upgrade requests to `wrangler dev` (scripts/relay-process.mjs), one
 *    offering `permessage-deflate; client_max_window_bits` as Chromium does, one offering nothing;
 *    prints the 101 answer's `Sec-WebSocket-Extensions`.
 * 2. Effect: frames shaped as the devices send them, with random bytes for the AES-GCM output (which
 *    is what ciphertext looks like to DEFLATE), through zlib raw DEFLATE at its defaults (what
 *    permessage-deflate uses): size after, and CPU time per MiB to deflate and to inflate.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { encodeBinaryEnvelope } from '../../lib/protocol/binary-envelope';
import { PROTOCOL_VERSION } from '../../lib/protocol/envelope';
import { startRelay } from '../../scripts/relay-process.mjs';

function upgradeAnswer(relayUrl: string, offer: boolean): Promise<string> {
  const url = new URL(relayUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => {
      const head = [
        `GET /parties/circle/${randomUUID()}?_pk=${randomUUID()} HTTP/1.1`,
        `Host: ${url.host}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        ...(offer ? ['Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits'] : []),
      ];
      socket.write(`${head.join('\r\n')}\r\n\r\n`);
    });
    let answer = '';
    socket.on('data', (d: Buffer) => {
      answer += d.toString('latin1');
      const end = answer.indexOf('\r\n\r\n');
      if (end >= 0) {
        socket.destroy();
        resolve(answer.slice(0, end));
      }
    });
    socket.on('error', reject);
  });
}

const jsonFrame = (ctBytes: number) =>
  Buffer.from(
    JSON.stringify({
      v: PROTOCOL_VERSION,
      type: 'SYNC_DATA',
      from: randomUUID(),
      to: randomUUID(),
      c: 42,
      n: randomBytes(12).toString('base64url'),
      ct: randomBytes(ctBytes).toString('base64url'),
    }),
  );
const binaryPush = () =>
  Buffer.from(
    encodeBinaryEnvelope({
      v: PROTOCOL_VERSION,
      type: 'PUSH',
      from: randomUUID(),
      to: randomUUID(),
      c: 42,
      n: new Uint8Array(randomBytes(12)),
      ct: new Uint8Array(randomBytes(207)),
    }),
  );

const relay = await startRelay();
try {
  console.log(
    `load ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  for (const offer of [true, false]) {
    const answer = await upgradeAnswer(relay.url, offer);
    const ext = /^sec-websocket-extensions:.*$/im.exec(answer)?.[0] ?? 'no Sec-WebSocket-Extensions';
    console.log(
      `upgrade ${offer ? 'offering permessage-deflate' : 'offering nothing'}: ${answer.split('\r\n')[0]}; ${ext}`,
    );
  }
} finally {
  await relay.stop();
}
const cases: [string, () => Buffer][] = [
  ['sync batch: JSON envelope, 190 KiB of ciphertext as base64url', () => jsonFrame(190 * 1024)],
  ['PUSH, binary envelope (v6), 207 B of ciphertext', binaryPush],
  ['PUSH as a v5 JSON envelope, 207 B of ciphertext', () => jsonFrame(207)],
];
for (const [name, make] of cases) {
  const frames = Array.from({ length: 40 }, make);
  const t0 = performance.now();
  const deflated = frames.map((f) => deflateRawSync(f));
  const t1 = performance.now();
  for (const z of deflated) inflateRawSync(z);
  const t2 = performance.now();
  const raw = frames.reduce((n, f) => n + f.length, 0);
  const out = deflated.reduce((n, z) => n + z.length, 0);
  const mib = raw / 1024 / 1024;
  console.log(
    `${name}: ${frames[0]!.length} B → ${(out / frames.length).toFixed(0)} B (${((out / raw) * 100).toFixed(1)} %); deflate ${((t1 - t0) / mib).toFixed(0)} ms/MiB, inflate ${((t2 - t1) / mib).toFixed(0)} ms/MiB`,
  );
}
