/**
 * A bystander session in its own process, so the load a probe makes in the test process cannot delay
 * its timers: two sockets in a room of their own; every 50 ms A sends B a small envelope and a PING.
 * It sends `{ ready: true }` once both are open; on the message 'stop' it waits up to 2 s for frames in
 * flight, sends `{ stats }` and exits. It exits by itself after 5 minutes.
 *
 *   node bystander-process.mjs <host> <protocol version>   (started with an IPC channel: child_process.fork)
 */
const [host, version] = process.argv.slice(2);
const PING = '{"type":"PING"}';
const PONG = '{"type":"PONG"}';
const INTERVAL_MS = 50;
const room = crypto.randomUUID();
const ids = { a: crypto.randomUUID(), b: crypto.randomUUID() };
const frameLatency = [];
const pingRtt = [];
const sentAt = new Map();
const pingsSent = [];
let counter = 0;
let sent = 0;

function open(id) {
  const ws = new WebSocket(`ws://${host}/parties/relay/${room}?_pk=${id}`);
  return new Promise((resolve, reject) => {
    ws.addEventListener('open', () => resolve(ws), { once: true });
    ws.addEventListener('error', () => reject(new Error('bystander socket failed')), { once: true });
  });
}

const [a, b] = await Promise.all([open(ids.a), open(ids.b)]);
b.addEventListener('message', (event) => {
  const at = sentAt.get(event.data);
  if (at === undefined) return;
  sentAt.delete(event.data);
  frameLatency.push(performance.now() - at);
});
a.addEventListener('message', (event) => {
  if (event.data !== PONG) return;
  const at = pingsSent.shift();
  if (at !== undefined) pingRtt.push(performance.now() - at);
});

const timer = setInterval(() => {
  counter += 1;
  const n = Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString('base64url');
  const frame = JSON.stringify({
    v: Number(version),
    type: 'SYNC_DATA',
    from: ids.a,
    to: ids.b,
    c: counter,
    n,
    ct: 'AAAA',
  });
  sentAt.set(frame, performance.now());
  a.send(frame);
  pingsSent.push(performance.now());
  a.send(PING);
  sent += 1;
}, INTERVAL_MS);
const deadline = setTimeout(() => process.exit(2), 5 * 60 * 1000);

function stats(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  const round = (x) => Math.round(x * 10) / 10;
  return {
    samples: sorted.length,
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    max: round(sorted.at(-1) ?? NaN),
  };
}

process.on('message', async (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  const waitUntil = performance.now() + 2000;
  while (sentAt.size > 0 && performance.now() < waitUntil) await new Promise((r) => setTimeout(r, 20));
  clearTimeout(deadline);
  process.send(
    { stats: { sent, lost: sentAt.size, frame: stats(frameLatency), ping: stats(pingRtt) } },
    () => {
      a.close(1000);
      b.close(1000);
      process.exit(0);
    },
  );
});
process.send({ ready: true });
