/**
 * Idle cost of circles (issue 10, "Measure"), against the real relay (`wrangler dev` on loopback):
 *  1. Frames per minute per device while nothing changes: two members' circle engines in Node
 *     (in-memory SQLite WASM, partysocket transports to the circle room, as tests/bench/circle.bench.ts)
 *     connect, finish their first round, then stay idle for IDLE_MS (default 180 s). Every WebSocket
 *     frame is counted at the socket (a WebSocket subclass installed as the global one, which
 *     partysocket uses), each way, split into the transport's JSON PINGs, the relay's PONGs (answered
 *     by the runtime's auto-response, without waking the room) and other frames.
 *  2. Relay memory with CIRCLES (default 1,000) connected idle circles: two plain WebSocket clients per
 *     circle room (`/parties/circle/<uuid>?_pk=<device>`), opened in waves of 50; each sends one
 *     JOIN-shaped envelope (1,600 characters of ciphertext, about a real JOIN with its roster) and a
 *     PING every 20 s, as the transport does. The relay isolate's JS heap after a full GC (a heap
 *     snapshot through wrangler's inspector, then Runtime.getHeapUsage, as tests/bench/relay.bench.mjs)
 *     and the RSS of the relay's workerd: before, with every circle connected, after HOLD_MS (default
 *     60 s) idle, then after closing every socket and a 30 s pause.
 * `npm run bench:idle`; prints JSON, asserts nothing; BENCHMARKS.md records the figures. Every socket is
 * closed and the relay (wrangler and workerd, by process group) is stopped at the end.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { circleRoom, newCircleSecret } from '../../lib/circle/circle-keys';
import { addMember } from '../../lib/circle/membership';
import { foundCircle, type Circle } from '../../lib/circle/roster';
import { newIdentity } from '../../lib/crypto/identity';
import { openMemoryDb } from '../../lib/db/node-memory';
import { createSqliteSyncStorage } from '../../lib/db/sync-storage';
import { createTodoWriter } from '../../lib/db/todo-writes';
import { createHybridClock } from '../../lib/model/hlc';
import { newDeviceId, type SessionId } from '../../lib/model/ids';
import { PING_FRAME, PONG_FRAME } from '../../lib/protocol/envelope';
import { createCircleEngine, type CircleEngine } from '../../lib/sync/circle-engine';
import { createPartySocketTransport } from '../../lib/sync/partysocket-transport';
import { startRelay, type RelayProcess } from '../../scripts/relay-process.mjs';

const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 180_000);
const CIRCLES = Number(process.env.BENCH_CIRCLES ?? 1000);
const HOLD_MS = Number(process.env.BENCH_HOLD_MS ?? 60_000);
const WAVE = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load = () => loadavg().map((l) => +l.toFixed(2));

// ---- 1. Frames per minute per idle device -----------------------------------------------------

type Counts = Record<string, number>;
const perDevice = new Map<string, Counts>();
const kind = (data: unknown) =>
  data === PING_FRAME ? 'PING' : data === PONG_FRAME ? 'PONG' : typeof data === 'string' ? 'data' : 'binary';
const bump = (url: string, key: string) => {
  const id = /[?&]_pk=([0-9a-f-]+)/.exec(url)?.[1] ?? '?';
  const row = perDevice.get(id) ?? {};
  row[key] = (row[key] ?? 0) + 1;
  perDevice.set(id, row);
};
const NativeWebSocket = globalThis.WebSocket;
class CountingWebSocket extends NativeWebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols);
    this.addEventListener('message', (e) => bump(this.url, `received ${kind(e.data)}`));
  }
  override send(data: Parameters<WebSocket['send']>[0]) {
    bump(this.url, `sent ${kind(data)}`);
    super.send(data);
  }
}

async function idleDevices(relay: RelayProcess) {
  globalThis.WebSocket = CountingWebSocket as typeof WebSocket;
  const ids = [newDeviceId(), newDeviceId()] as const;
  const identities = [await newIdentity(), await newIdentity()] as const;
  let circle: Circle = await foundCircle({
    self: ids[0],
    identity: identities[0],
    name: 'A',
    now: Date.now(),
    secret: newCircleSecret(),
    circleId: crypto.randomUUID(),
  });
  circle = (await addMember(
    circle,
    { id: ids[0], identity: identities[0] },
    { id: ids[1], keys: identities[1].public, name: 'B' },
    Date.now(),
  )) as Circle;
  const room = await circleRoom(circle);
  const engines: CircleEngine[] = [];
  try {
    for (const [k, id] of ids.entries()) {
      const sql = await openMemoryDb();
      const writer = createTodoWriter({ sql, clock: createHybridClock(id), deviceId: id });
      writer.create({ title: `A todo of device ${k}` });
      const engine = createCircleEngine({
        storage: createSqliteSyncStorage(sql, Date.now),
        transport: createPartySocketTransport({
          relayOrigin: relay.url,
          sessionId: room.roomId as SessionId,
          deviceId: id,
          party: 'circle',
        }),
        clock: createHybridClock(id, Date.now),
        deviceId: id,
        identity: identities[k]!,
        deviceName: k === 0 ? 'A' : 'B',
        circle,
        room,
      });
      engines.push(engine);
      await engine.start();
    }
    // Both online and through their first round; then a pause for the last acknowledgements.
    for (let i = 0; i < 600 && engines.some((e) => e.online().length === 0); i++) await sleep(100);
    await Promise.all(engines.map((e) => e.idle()));
    await sleep(5_000);
    await Promise.all(engines.map((e) => e.idle()));
    perDevice.clear();
    const t0 = Date.now();
    const loadAtStart = load();
    await sleep(IDLE_MS);
    const ms = Date.now() - t0;
    const snapshot = new Map([...perDevice].map(([id, row]) => [id, { ...row }]));
    const perMin = (n: number) => +((n * 60_000) / ms).toFixed(2);
    return {
      idleSeconds: +(ms / 1000).toFixed(1),
      loadAtStart,
      loadAtEnd: load(),
      devices: ids.map((id, k) => ({
        device: k === 0 ? 'A' : 'B',
        frames: snapshot.get(id) ?? {},
        perMinute: Object.fromEntries(
          Object.entries(snapshot.get(id) ?? {}).map(([key, n]) => [key, perMin(n)]),
        ),
      })),
    };
  } finally {
    for (const e of engines) await e.stop();
    globalThis.WebSocket = NativeWebSocket;
  }
}

// ---- 2. Relay memory with many idle circles ---------------------------------------------------

/** RSS (MiB) of the workerd running the relay (the one with an inspector) and of all workerd in the group. */
function workerdRss(groupId: number) {
  const out = execFileSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' });
  let all = 0;
  let relayKib = 0;
  let relayPid: number | null = null;
  for (const line of out.trim().split('\n')) {
    const [pid, pgid, ...args] = line.trim().split(/\s+/);
    if (Number(pgid) !== groupId || !args[0]?.endsWith('/workerd')) continue;
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    all += rss;
    if (args.some((a) => a.startsWith('--inspector-addr'))) {
      relayKib += rss;
      relayPid = Number(pid);
    }
  }
  // relayPid changes if wrangler restarted the runtime (a reload drops every socket): readings across it differ.
  return { relayRssMiB: +(relayKib / 1024).toFixed(1), allWorkerdRssMiB: +(all / 1024).toFixed(1), relayPid };
}

/** Heap used after a full GC in the relay isolate, and its live rooms and WebSockets (heap snapshot). */
async function relayHeap(inspectorPort: number) {
  const targets = (await (
    await fetch(`http://127.0.0.1:${inspectorPort}/json`, { signal: AbortSignal.timeout(5000) })
  ).json()) as { webSocketDebuggerUrl: string }[];
  // Node's WebSocket (undici) takes headers as a second argument; the inspector proxy wants an Origin.
  const Ws = NativeWebSocket as unknown as new (url: string, opts: unknown) => WebSocket;
  const ws = new Ws(targets[0]!.webSocketDebuggerUrl, { headers: { Origin: 'http://localhost' } });
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve, { once: true });
    ws.addEventListener('error', () => reject(new Error('inspector open failed')), { once: true });
  });
  let next = 1;
  const pending = new Map<number, (m: { result: Record<string, number> }) => void>();
  let chunks: string[] = [];
  ws.addEventListener('message', (event) => {
    const m = JSON.parse(String(event.data)) as {
      id?: number;
      method?: string;
      params?: { chunk: string };
      result: Record<string, number>;
    };
    if (m.method === 'HeapProfiler.addHeapSnapshotChunk') chunks.push(m.params!.chunk);
    else if (m.id !== undefined) pending.get(m.id)?.(m);
  });
  const call = (method: string, params = {}) =>
    new Promise<{ result: Record<string, number> }>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => reject(new Error(`inspector: ${method} timed out`)), 120_000);
      pending.set(id, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      ws.send(JSON.stringify({ id, method, params }));
    });
  try {
    await call('HeapProfiler.takeHeapSnapshot', { reportProgress: false, captureNumericValue: false });
    const usage = (await call('Runtime.getHeapUsage')).result;
    const snap = JSON.parse(chunks.join('')) as {
      snapshot: { meta: { node_fields: string[]; node_types: string[][] } };
      nodes: number[];
      strings: string[];
    };
    chunks = [];
    const fields = snap.snapshot.meta.node_fields;
    const types = snap.snapshot.meta.node_types[0]!;
    const [typeAt, nameAt] = ['type', 'name'].map((f) => fields.indexOf(f)) as [number, number];
    let rooms = 0;
    let sockets = 0;
    for (let i = 0; i < snap.nodes.length; i += fields.length) {
      const type = types[snap.nodes[i + typeAt]!];
      if (type !== 'object' && type !== 'native' && type !== 'synthetic') continue;
      const name = snap.strings[snap.nodes[i + nameAt]!];
      if (name === 'HibernatingConnectionManager') rooms++;
      else if (name === 'workerd / WebSocket') sockets++;
    }
    return {
      heapUsedMiB: +(usage.usedSize! / 2 ** 20).toFixed(2),
      liveRooms: rooms,
      liveWebSockets: sockets,
    };
  } finally {
    ws.close();
  }
}

async function reading(relay: RelayProcess & { inspectorPort: number }, label: string) {
  let heap: Awaited<ReturnType<typeof relayHeap>> | { heapError: string };
  try {
    heap = await relayHeap(relay.inspectorPort);
  } catch (error) {
    heap = { heapError: error instanceof Error ? error.message : String(error) };
  }
  return { label, at: new Date().toISOString(), load: load(), ...heap, ...workerdRss(relay.pid) };
}

const b64url = (n: number) => Buffer.from(crypto.getRandomValues(new Uint8Array(n))).toString('base64url');

function openClient(host: string, room: string): Promise<{ ws: WebSocket; id: string }> {
  const id = crypto.randomUUID();
  const ws = new NativeWebSocket(`ws://${host}/parties/circle/${room}?_pk=${id}`);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('open timed out')), 30_000);
    ws.addEventListener(
      'open',
      () => {
        clearTimeout(timer);
        resolve({ ws, id });
      },
      { once: true },
    );
    ws.addEventListener(
      'error',
      () => {
        clearTimeout(timer);
        reject(new Error('open failed'));
      },
      { once: true },
    );
  });
}

function closeClient(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState === NativeWebSocket.CLOSED) return resolve();
    const timer = setTimeout(resolve, 10_000);
    ws.addEventListener(
      'close',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
    ws.close();
  });
}

async function idleCircles(relay: RelayProcess & { inspectorPort: number }) {
  const readings = [await reading(relay, 'before')];
  const sockets: WebSocket[] = [];
  let failed = 0;
  const pings = setInterval(() => {
    for (const ws of sockets) if (ws.readyState === NativeWebSocket.OPEN) ws.send(PING_FRAME);
  }, 20_000);
  const t0 = Date.now();
  try {
    for (let done = 0; done < CIRCLES; done += WAVE) {
      await Promise.all(
        Array.from({ length: Math.min(WAVE, CIRCLES - done) }, async () => {
          const room = crypto.randomUUID();
          try {
            for (let k = 0; k < 2; k++) {
              const { ws, id } = await openClient(relay.host, room);
              sockets.push(ws);
              ws.send(
                JSON.stringify({ v: 4, type: 'JOIN', from: id, c: 1, n: b64url(12), ct: b64url(1200) }),
              );
            }
          } catch {
            failed++;
          }
        }),
      );
    }
    const openSeconds = +((Date.now() - t0) / 1000).toFixed(1);
    await sleep(5_000);
    readings.push(await reading(relay, `${CIRCLES} circles connected (${sockets.length} sockets)`));
    await sleep(HOLD_MS);
    const stillOpen = sockets.filter((ws) => ws.readyState === NativeWebSocket.OPEN).length;
    readings.push(await reading(relay, `after ${HOLD_MS / 1000} s idle (${stillOpen} sockets still open)`));
    clearInterval(pings);
    await Promise.all(sockets.map(closeClient));
    await sleep(30_000);
    readings.push(await reading(relay, 'all closed, after 30 s'));
    return { circles: CIRCLES, sockets: sockets.length, failedCircles: failed, openSeconds, readings };
  } finally {
    clearInterval(pings);
    await Promise.all(sockets.map(closeClient));
  }
}

async function main() {
  const machine = {
    nproc: cpus().length,
    cpu: cpus()[0]?.model,
    memGiB: +(totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    startedAt: new Date().toISOString(),
    loadAtStart: load(),
  };
  // Static assets from a directory nobody rebuilds: a rebuild of relay/public would reload the runtime.
  const assetsDir = mkdtempSync(join(tmpdir(), 'idle-bench-assets-'));
  writeFileSync(join(assetsDir, 'index.html'), '<!doctype html><title>idle bench</title>\n');
  const relay = (await startRelay({ assetsDir })) as RelayProcess & { inspectorPort: number };
  try {
    const devices = process.env.BENCH_ONLY === 'circles' ? null : await idleDevices(relay);
    const circles = process.env.BENCH_ONLY === 'devices' ? null : await idleCircles(relay);
    console.log(
      JSON.stringify(
        { machine: { ...machine, endedAt: new Date().toISOString(), loadAtEnd: load() }, devices, circles },
        null,
        2,
      ),
    );
  } finally {
    await relay.stop();
    rmSync(assetsDir, { recursive: true, force: true });
  }
}

await main();
