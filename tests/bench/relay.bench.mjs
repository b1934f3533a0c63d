/**
 * Relay benchmark (`npm run bench:relay`): starts its own `wrangler dev` and measures
 *  1. frames relayed per second in one session (1 sender → 1 receiver, ~300-byte envelopes, and
 *     128 KiB SYNC_DATA batches), rate limit raised so the relay, not the limiter, is measured;
 *  2. one-way latency p50/p99: one frame at a time, sender and receiver in this process (same clock);
 *  3. memory over a long soak of short sessions (2 devices, 10 frames, both close; waves of 50): first
 *     with a fresh session id each time (as in production, one new Durable Object per session), then
 *     reusing 50 ids (the same objects), each phase followed by an idle pause. Every BENCH_SAMPLE_EVERY
 *     sessions it records workerd RSS (all processes, and the one running the relay) and, through the
 *     relay isolate's DevTools inspector, the JS heap used after a full GC, the live relay objects and
 *     WebSockets (counted in a heap snapshot), and the files left in the local storage directory. The
 *     constructors whose live counts changed most are printed as a small heap-snapshot diff.
 * Prints a JSON summary; docs/benchmarks/relay.md records the figures and the machine.
 * Bounds: BENCH_FRAMES (default 20000), BENCH_SOAK_SESSIONS (fresh ids, default 10000),
 * BENCH_REUSED_SESSIONS (default 2000), BENCH_SAMPLE_EVERY (default 1000), BENCH_IDLE_MS (pause before
 * the after-idle reading, default 30000). The default run takes about 6 minutes on 2 shared cores.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { startRelay } from '../../scripts/relay-process.mjs';

const FRAMES = Number(process.env.BENCH_FRAMES ?? 20_000);
const SOAK_SESSIONS = Number(process.env.BENCH_SOAK_SESSIONS ?? 10_000);
const REUSED_SESSIONS = Number(process.env.BENCH_REUSED_SESSIONS ?? 2000);
const SAMPLE_EVERY = Number(process.env.BENCH_SAMPLE_EVERY ?? 1000);
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

/** RSS of the workerd processes in the relay's process group: all of them, and the one running the relay. */
function workerdRss(groupId) {
  const out = execFileSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' });
  let kib = 0;
  let relayKib = 0;
  let relayPid = null;
  for (const line of out.trim().split('\n')) {
    const [pid, pgid, ...args] = line.trim().split(/\s+/);
    if (Number(pgid) !== groupId || !args[0]?.endsWith('/workerd')) continue;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    kib += rss;
    // wrangler runs two workerd processes: its own proxy, and the user Worker's (the one with an inspector).
    if (args.some((a) => a.startsWith('--inspector-addr'))) {
      relayKib += rss;
      relayPid = Number(pid);
    }
  }
  // relayPid changes if wrangler restarted the runtime (a reload): readings across it are not comparable.
  return { rssMiB: +(kib / 1024).toFixed(1), relayRssMiB: +(relayKib / 1024).toFixed(1), relayPid };
}

/** Files and bytes under wrangler's --persist-to directory (Durable Object storage, wiped per session). */
function stored(groupId) {
  const args = readFileSync(`/proc/${groupId}/cmdline`, 'utf8').split('\0');
  const dir = args[args.indexOf('--persist-to') + 1];
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    files += 1;
    bytes += statSync(join(entry.parentPath, entry.name)).size;
  }
  return { storedFiles: files, storedKiB: +(bytes / 1024).toFixed(1) };
}

/**
 * A DevTools session to the relay's isolate (the Worker and all its Durable Objects share one), through
 * wrangler's inspector proxy. workerd did not answer HeapProfiler.collectGarbage here, but a heap snapshot
 * runs a full GC first, so Runtime.getHeapUsage right after it is the heap that is really retained.
 */
async function inspector(port) {
  const targets = await (
    await fetch(`http://127.0.0.1:${port}/json`, { signal: AbortSignal.timeout(5000) })
  ).json();
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl, { headers: { Origin: 'http://localhost' } });
  await withTimeout(
    new Promise((resolve, reject) => {
      ws.addEventListener('open', resolve, { once: true });
      ws.addEventListener('error', () => reject(new Error('inspector open failed')), { once: true });
    }),
    10_000,
    'inspector open',
  );
  let nextId = 1;
  const pending = new Map();
  let chunks = [];
  ws.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data));
    if (message.method === 'HeapProfiler.addHeapSnapshotChunk') chunks.push(message.params.chunk);
    else if (pending.has(message.id)) {
      pending.get(message.id).resolve(message);
      pending.delete(message.id);
    }
  });
  // A runtime reload closes the session: fail the waiting calls instead of waiting for their timeout.
  ws.addEventListener('close', () => {
    for (const { reject } of pending.values()) reject(new Error('inspector session closed'));
    pending.clear();
  });
  const call = (method, params = {}) => {
    const id = nextId++;
    return withTimeout(
      new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        ws.send(JSON.stringify({ id, method, params }));
      }),
      60_000,
      method,
    );
  };
  /** Full GC (via a snapshot), then heap used and the number of live objects per constructor name. */
  const heap = async () => {
    chunks = [];
    await call('HeapProfiler.takeHeapSnapshot', { reportProgress: false, captureNumericValue: false });
    const usage = (await call('Runtime.getHeapUsage')).result;
    const snapshot = JSON.parse(chunks.join(''));
    chunks = [];
    const fields = snapshot.snapshot.meta.node_fields;
    const types = snapshot.snapshot.meta.node_types[0];
    const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
    const counts = new Map();
    let selfBytes = 0;
    for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
      selfBytes += snapshot.nodes[i + sizeAt];
      const type = types[snapshot.nodes[i + typeAt]];
      if (type !== 'object' && type !== 'native' && type !== 'synthetic' && type !== 'closure') continue;
      const name = snapshot.strings[snapshot.nodes[i + nameAt]];
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    return {
      heapUsedMiB: +(usage.usedSize / 2 ** 20).toFixed(2),
      snapshotMiB: +(selfBytes / 2 ** 20).toFixed(2),
      counts,
    };
  };
  return { heap, close: () => ws.close() };
}

/** Constructors whose live count changed most between two heap readings: a snapshot diff in brief. */
function countDiff(before, after, top = 8) {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names]
    .map((name) => ({ name, before: before.get(name) ?? 0, after: after.get(name) ?? 0 }))
    .map((row) => ({ ...row, delta: row.after - row.before }))
    .filter((row) => row.delta !== 0)
    .sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta))
    .slice(0, top);
}

/**
 * RSS and heap-after-GC at one point of the soak, with the relay's own objects counted. A fresh
 * inspector session each time, so a runtime reload costs one reading (recorded), not the rest.
 */
async function sample(relay, sessions) {
  let heap = null;
  let heapError;
  try {
    const devtools = await inspector(relay.inspectorPort);
    try {
      heap = await devtools.heap();
    } finally {
      devtools.close();
    }
  } catch (error) {
    heapError = error instanceof Error ? error.message : String(error);
  }
  const point = {
    sessions,
    ...workerdRss(relay.pid),
    heapUsedMiB: heap?.heapUsedMiB ?? null,
    // partyserver creates one HibernatingConnectionManager per Relay instance: the live Durable Objects.
    relayObjects: heap ? (heap.counts.get('HibernatingConnectionManager') ?? 0) : null,
    webSockets: heap ? (heap.counts.get('workerd / WebSocket') ?? 0) : null,
    ...stored(relay.pid),
    ...(heapError === undefined ? {} : { heapError }),
  };
  return { point, counts: heap?.counts ?? new Map() };
}

/** A session that times out is counted and reported, not retried: the figure must show it. */
async function soak(relay, sessions, roomPool) {
  const curve = [];
  const failures = [];
  for (let done = 0; done < sessions; done += WAVE) {
    await Promise.all(
      Array.from({ length: Math.min(WAVE, sessions - done) }, async (_, i) => {
        const host = relay.host;
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
    const total = Math.min(done + WAVE, sessions);
    if (total % SAMPLE_EVERY === 0 || total === sessions) curve.push((await sample(relay, total)).point);
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

// Static assets from a directory nobody rebuilds: a rebuild of relay/public would reload the runtime.
const assetsDir = mkdtempSync(join(tmpdir(), 'relay-bench-assets-'));
writeFileSync(join(assetsDir, 'index.html'), '<!doctype html><title>relay bench</title>\n');
const relay = await startRelay({ vars: RELAY_VARS, assetsDir });
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
  const baseline = await sample(relay, 0);
  const soakPhase = async (sessions, pool) => {
    const before = await sample(relay, 0);
    const t = performance.now();
    const result = await soak(relay, sessions, pool);
    const seconds = +((performance.now() - t) / 1000).toFixed(1);
    const after = await sample(relay, sessions);
    await idle(IDLE_MS);
    const afterIdle = await sample(relay, sessions);
    return {
      sessions,
      ids: pool ? pool.length : sessions,
      seconds,
      before: before.point,
      after: after.point,
      afterIdle: { ...afterIdle.point, idleMs: IDLE_MS },
      // Which constructors' live counts changed from the phase's start to its end (before the idle pause).
      grewDuringSoak: countDiff(before.counts, after.counts),
      ...result,
    };
  };
  const soakFreshIds = await section(relay, 'soak fresh ids', () => soakPhase(SOAK_SESSIONS));
  const pool = Array.from({ length: WAVE }, () => crypto.randomUUID());
  const soakReusedIds = await section(relay, 'soak reused ids', () => soakPhase(REUSED_SESSIONS, pool));
  const end = await sample(relay, SOAK_SESSIONS + REUSED_SESSIONS);
  const memory = {
    baseline: baseline.point,
    end: end.point,
    grewOverall: countDiff(baseline.counts, end.counts),
  };
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
        memory,
      },
      null,
      2,
    ),
  );
} finally {
  await relay.stop();
  rmSync(assetsDir, { recursive: true, force: true });
}
