/**
 * Relay benchmark (`npm run bench:relay`): starts its own `wrangler dev` and measures
 *  1. frames relayed per second in one session (1 sender → 1 receiver, ~300-byte envelopes, and
 *     128 KiB SYNC_DATA batches), rate limit raised so the relay, not the limiter, is measured;
 *  2. one-way latency p50/p99: one frame at a time, sender and receiver in this process (same clock);
 *  3. workerd RSS before and after a bounded soak of many short sessions opening and closing: first
 *     with a fresh session id each time (as in production), then reusing 50 ids (same Durable Objects),
 *     each followed by an idle pause, to tell the relay's own memory from the runtime's per-object cost.
 * Prints a JSON summary; docs/benchmarks/relay.md records the figures and the machine.
 * Bounds: BENCH_FRAMES (default 20000), BENCH_SOAK_SESSIONS (default 2000, in waves of 50),
 * BENCH_IDLE_MS (pause before the after-idle RSS reading, default 30000).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { startRelay } from '../../scripts/relay-process.mjs';

const FRAMES = Number(process.env.BENCH_FRAMES ?? 20_000);
const SOAK_SESSIONS = Number(process.env.BENCH_SOAK_SESSIONS ?? 2000);
const WAVE = 50;
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 30_000);

const b64url = (bytes) => Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('base64url');
const b64urlLarge = (bytes) => Buffer.alloc(bytes, 7).toString('base64url');
const envelope = (from, ct) => JSON.stringify({ v: 1, type: 'SYNC_DATA', from, n: b64url(12), ct });

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timeout: ${what}`)), ms))),
  ]);
}

async function open(host, room, id = crypto.randomUUID()) {
  const ws = new WebSocket(`ws://${host}/parties/relay/${room}?_pk=${id}`);
  await withTimeout(
    new Promise((resolve, reject) => {
      ws.addEventListener('open', resolve, { once: true });
      ws.addEventListener('error', () => reject(new Error('open failed')), { once: true });
    }),
    10_000,
    'open',
  );
  return { ws, id };
}

function close(ws) {
  return withTimeout(
    new Promise((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) return resolve();
      ws.addEventListener('close', resolve, { once: true });
      ws.close();
    }),
    10_000,
    'close',
  );
}

/** Counts frames on `ws` and resolves when `count` have arrived. */
function receiveCount(ws, count, timeoutMs) {
  let seen = 0;
  return withTimeout(
    new Promise((resolve) => {
      ws.addEventListener('message', function onMessage() {
        seen += 1;
        if (seen >= count) {
          ws.removeEventListener('message', onMessage);
          resolve(performance.now());
        }
      });
    }),
    timeoutMs,
    `${count} frames`,
  ).catch((error) => {
    throw new Error(`${error.message} (${seen} arrived, socket state ${ws.readyState})`);
  });
}

async function throughput(host, frames, ctBytes) {
  const room = crypto.randomUUID();
  const sender = await open(host, room);
  const receiver = await open(host, room);
  const payloads = Array.from({ length: frames }, () =>
    envelope(sender.id, ctBytes > 4096 ? b64urlLarge(ctBytes) : b64url(ctBytes)),
  );
  const done = receiveCount(receiver.ws, frames, 300_000);
  const start = performance.now();
  for (const p of payloads) sender.ws.send(p);
  const end = await done;
  await Promise.all([close(sender.ws), close(receiver.ws)]);
  const seconds = (end - start) / 1000;
  return {
    frames,
    frameBytes: payloads[0].length,
    seconds: +seconds.toFixed(3),
    framesPerSec: Math.round(frames / seconds),
    mbPerSec: +((frames * payloads[0].length) / seconds / 1e6).toFixed(1),
  };
}

async function latency(host, samples) {
  const room = crypto.randomUUID();
  const sender = await open(host, room);
  const receiver = await open(host, room);
  const times = [];
  for (let i = 0; i < samples; i++) {
    const frame = envelope(sender.id, b64url(200));
    const arrived = receiveCount(receiver.ws, 1, 10_000);
    const start = performance.now();
    sender.ws.send(frame);
    times.push((await arrived) - start);
  }
  await Promise.all([close(sender.ws), close(receiver.ws)]);
  times.sort((a, b) => a - b);
  const at = (q) => +times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(2);
  return { samples, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: +times[times.length - 1].toFixed(2) };
}

function workerdRss(groupId) {
  const out = execFileSync('ps', ['-eo', 'pid=,pgid=,comm='], { encoding: 'utf8' });
  let kib = 0;
  for (const line of out.trim().split('\n')) {
    const [pid, pgid, comm] = line.trim().split(/\s+/);
    if (Number(pgid) !== groupId || !comm?.includes('workerd')) continue;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    kib += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  }
  return +(kib / 1024).toFixed(1);
}

/** A session that times out is counted and reported, not retried: the figure must show it. */
async function soak(host, sessions, groupId, roomPool) {
  const curve = [];
  const failures = [];
  for (let done = 0; done < sessions; done += WAVE) {
    await Promise.all(
      Array.from({ length: Math.min(WAVE, sessions - done) }, async (_, i) => {
        const room = roomPool ? roomPool[i % roomPool.length] : crypto.randomUUID();
        const sockets = [];
        try {
          const a = await open(host, room);
          sockets.push(a.ws);
          const b = await open(host, room);
          sockets.push(b.ws);
          const got = receiveCount(b.ws, 10, 20_000);
          for (let k = 0; k < 10; k++) a.ws.send(envelope(a.id, b64url(300)));
          await got;
        } catch (error) {
          failures.push(error instanceof Error ? error.message : String(error));
        } finally {
          for (const ws of sockets) await close(ws).catch(() => failures.push('close timeout'));
        }
      }),
    );
    if ((done / WAVE) % 10 === 0) curve.push({ sessions: done + WAVE, rssMiB: workerdRss(groupId) });
  }
  return { curve, failed: failures.length, failures: failures.slice(0, 5) };
}

const RELAY_VARS = { RELAY_RATE_PER_SEC: '1000000', RELAY_RATE_BURST: '1000000' };

/** A failed section is reported with whether the relay process survived, and the next one goes on. */
async function section(relay, name, run) {
  try {
    return await run();
  } catch (error) {
    const healthy = await fetch(`${relay.url}/health`, { signal: AbortSignal.timeout(5000) })
      .then((r) => r.ok)
      .catch(() => false);
    const alive = (() => {
      try {
        process.kill(relay.pid, 0);
        return true;
      } catch {
        return false;
      }
    })();
    return {
      failed: name,
      error: error instanceof Error ? error.message : String(error),
      relayHealthy: healthy,
      wranglerAlive: alive,
    };
  }
}

const relay = await startRelay({ vars: RELAY_VARS });
try {
  const machine = {
    nproc: cpus().length,
    cpu: cpus()[0]?.model,
    memGiB: +(totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    loadAvgAtStart: loadavg().map((l) => +l.toFixed(2)),
  };
  // Warm up: the first session compiles the Worker and the Durable Object class.
  const warmUp = await section(relay, 'warm-up', () => throughput(relay.host, 500, 200));
  const small = await section(relay, 'throughput', () => throughput(relay.host, FRAMES, 200));
  // 96 KiB of ciphertext is ~128 KiB of base64url: the TARGET_BATCH_BYTES a sync batch aims for.
  const batches = await section(relay, 'batches', () => throughput(relay.host, 200, 96 * 1024));
  const lat = await section(relay, 'latency', () => latency(relay.host, 2000));
  const idle = (ms) => new Promise((r) => setTimeout(r, ms));
  const soakPhase = async (pool) => {
    const rssBeforeMiB = workerdRss(relay.pid);
    const t = performance.now();
    const result = await soak(relay.host, SOAK_SESSIONS, relay.pid, pool);
    const seconds = +((performance.now() - t) / 1000).toFixed(1);
    const rssAfterMiB = workerdRss(relay.pid);
    await idle(IDLE_MS);
    return {
      sessions: SOAK_SESSIONS,
      ids: pool ? pool.length : SOAK_SESSIONS,
      seconds,
      rssBeforeMiB,
      rssAfterMiB,
      rssAfterIdleMiB: workerdRss(relay.pid),
      ...result,
    };
  };
  const soakFreshIds = await section(relay, 'soak fresh ids', () => soakPhase());
  const pool = Array.from({ length: WAVE }, () => crypto.randomUUID());
  const soakReusedIds = await section(relay, 'soak reused ids', () => soakPhase(pool));
  console.log(
    JSON.stringify(
      {
        machine: { ...machine, loadAvgAtEnd: loadavg().map((l) => +l.toFixed(2)) },
        warmUp,
        throughputSmall: small,
        throughputBatches: batches,
        latency: lat,
        soakFreshIds,
        soakReusedIds,
      },
      null,
      2,
    ),
  );
} finally {
  await relay.stop();
}
