/**
 * The cost of authentication (issue 9), comparable across commits: run it from any checkout, pointed
 * at another checkout's root, so the old protocol is measured with its own engine and its own relay:
 *
 *   jiti tests/bench/auth-cost.ts [root]      (root: the checkout to measure, default this one)
 *   BENCH_SIZES=0,100000 BENCH_REPEAT=3       (todos the host starts with; runs per size)
 *
 * Per run: two engines in this process (real partysocket transport, in-memory SQLite WASM) pair by
 * link through that checkout's relay (`wrangler dev` on loopback); the host holds N todos, the guest
 * none. It prints wall time from `start()` to both sides' `done`, and the CPU time spent meanwhile by
 * this process and by the relay's process group (workerd), which a shared machine's load inflates far
 * less than wall time. Then, without a network: frames and bytes by message type of one pairing over
 * the in-memory relay, and the envelope of an empty payload as that checkout's sealFrame makes it.
 * Figures in BENCHMARKS.md ("Cost of authentication").
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

type Module = Record<string, (...args: never[]) => unknown>;
/* eslint-disable @typescript-eslint/no-explicit-any -- modules of another checkout, whose types may differ */
const root = resolve(process.argv[2] ?? fileURLToPath(new URL('../..', import.meta.url)));
const load = async (...candidates: string[]): Promise<any> => {
  const path = candidates.map((c) => join(root, c)).find((p) => existsSync(p));
  if (!path) throw new Error(`none of ${candidates.join(', ')} in ${root}`);
  return (await import(path)) as Module;
};

const { startRelay } = await load('scripts/relay-process.mjs');
const { openMemoryDb } = await load('lib/db/node-memory.ts');
const { createTodoWriter } = await load('lib/db/todo-writes.ts');
const { createHybridClock } = await load('lib/model/hlc.ts');
const { newDeviceId } = await load('lib/model/ids.ts');
const { createPairingLink } = await load('lib/pairing/pairing-link.ts');
const { createPartySocketTransport } = await load('lib/sync/partysocket-transport.ts');
const { createSqliteSyncStorage } = await load('lib/db/sync-storage.ts', 'lib/sync/sqlite-storage.ts');
const { createSyncEngine } = await load('lib/sync/sync-engine.ts');
const { PROTOCOL_VERSION } = await load('lib/protocol/envelope.ts');
const frameCrypto = await load('lib/crypto/frame-crypto.ts');
const harness = await load('tests/unit/sync-harness.ts');
const { createMemoryRelay } = await load('lib/sync/memory-transport.ts');
// Protocol v1 has no identities; its engine ignores the option.
const newIdentity = existsSync(join(root, 'lib/crypto/identity.ts'))
  ? (await load('lib/crypto/identity.ts')).newIdentity
  : async () => undefined;

const TICK_MS = 1000 / 100; // USER_HZ on Linux

/** CPU seconds (user + system) of every process in a process group, from /proc. */
function groupCpuMs(pgid: number): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) === pgid) ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // The process ended while we looked.
    }
  }
  return ticks * TICK_MS;
}
const ownCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function seeded(n: number, id: string) {
  const sql = await openMemoryDb();
  const writer = createTodoWriter({ sql, clock: createHybridClock(id), deviceId: id });
  if (n > 0) {
    const r = writer.createMany(
      Array.from({ length: n }, (_, i) => ({
        title: `Todo number ${i}: buy milk and call back`,
        description: i % 3 === 0 ? 'A short note.' : null,
        priority: 'medium',
      })),
    );
    if (!r.ok) throw new Error(r.error);
  }
  return sql;
}

/** An engine as bench:sync makes one, with a promise of its first `done`. */
function engine(link: any, id: string, sql: any, name: string, identity: unknown) {
  const e = createSyncEngine({
    storage: createSqliteSyncStorage(sql),
    clock: createHybridClock(id),
    deviceId: id,
    identity,
    deviceName: name,
    transport: createPartySocketTransport({
      relayOrigin: link.relayOrigin,
      sessionId: link.sessionId,
      deviceId: id,
    }),
    session: {
      sessionId: link.sessionId,
      sessionKey: link.sessionKey,
      hostId: link.hostId,
      expiresAt: link.expiresAt,
    },
    silenceTimeoutMs: 120_000,
  });
  const done = new Promise<void>((resolveDone) =>
    e.subscribe((ev: any) => {
      if (ev.type === 'done') resolveDone();
    }),
  );
  return { e, done };
}

async function run(relay: any, n: number) {
  const hostId = newDeviceId();
  const guestId = newDeviceId();
  const link = createPairingLink({ relayOrigin: relay.url, hostId });
  const guestSql = await openMemoryDb();
  const host = engine(link, hostId, await seeded(n, hostId), 'host', await newIdentity());
  const guest = engine(link, guestId, guestSql, 'guest', await newIdentity());
  const [cpu0, relay0, t0] = [ownCpuMs(), groupCpuMs(relay.pid), performance.now()];
  await host.e.start();
  await guest.e.start();
  await Promise.all([host.done, guest.done]);
  const wall = performance.now() - t0;
  const [cpu, relayCpu] = [ownCpuMs() - cpu0, groupCpuMs(relay.pid) - relay0];
  const frames = host.e.stats.framesSent + guest.e.stats.framesSent;
  const bytes = host.e.stats.bytesSent + guest.e.stats.bytesSent;
  const got = guestSql.get('SELECT count(*) AS n FROM todos').n;
  await host.e.stop();
  await guest.e.stop();
  return { wall, cpu, relayCpu, frames, bytes, got };
}

/** One pairing over the in-memory relay: frames and bytes by type (deterministic but for counters). */
async function byType(n: number) {
  const relay = createMemoryRelay();
  const time = { now: 1_800_000_000_000 };
  const hostId = newDeviceId();
  const session = harness.newSession(hostId, time.now + 5 * 60_000);
  const host = await harness.createNode({
    id: hostId,
    relay,
    session,
    time,
    name: 'Host',
    sql: await seeded(n, hostId),
  });
  const guest = await harness.createNode({ id: newDeviceId(), relay, session, time, name: 'Guest' });
  await host.engine.start();
  await guest.engine.start();
  await harness.settle(relay, [host, guest]);
  const types: Record<string, string> = {};
  let frames = 0;
  let bytes = 0;
  for (const f of relay.sent as { type: string; bytes: number }[]) {
    const [c, b] = (types[f.type] ?? '0 0').split(' ').map(Number);
    types[f.type] = `${c! + 1} ${b! + f.bytes}`;
    frames++;
    bytes += f.bytes;
  }
  const list = Object.entries(types)
    .map(([t, cb]) => `${t} ${cb.replace(' ', '×, ')} B`)
    .join('; ');
  console.log(`memory relay, ${n} todos: ${frames} frames, ${bytes} B (${list})`);
}

const sizes = (process.env.BENCH_SIZES ?? '0,100000').split(',').map(Number);
const repeat = Number(process.env.BENCH_REPEAT ?? 3);
console.log(`checkout ${root}, protocol v${PROTOCOL_VERSION}, ${new Date().toISOString()}`);
const relay = await startRelay({ assetsDir: join(root, 'relay', 'public') });
try {
  for (const n of sizes)
    for (let i = 0; i < repeat; i++) {
      const r = await run(relay, n);
      console.log(
        `relay, ${n} todos into an empty device: wall ${r.wall.toFixed(0)} ms, cpu ${r.cpu.toFixed(0)} ms here + ${r.relayCpu.toFixed(0)} ms relay, ${r.frames} frames, ${r.bytes} B, guest has ${r.got}`,
      );
    }
} finally {
  await relay.stop();
}
for (const n of [0, 1, 1000]) await byType(n);
const key = await frameCrypto.deriveFrameKey(frameCrypto.newSessionKey(), crypto.randomUUID());
for (const c of [1, 1000, 1_000_000]) {
  const env = await frameCrypto.sealFrame(
    key,
    { type: 'SYNC_DATA', from: crypto.randomUUID(), to: crypto.randomUUID(), c },
    {},
  );
  console.log(`envelope of an empty payload, counter ${c}: ${JSON.stringify(env).length} B`);
}

/**
 * What each way of authenticating frames costs in CPU (issue 9 asked for the choice to be measured):
 * a pair key per two devices (X25519 + HKDF once per pair and session, then AES-GCM as before) against
 * an Ed25519 signature on every frame. CPU time, so a loaded machine inflates it less.
 */
async function cpuPer(times: number, op: () => Promise<unknown>): Promise<number> {
  const c0 = ownCpuMs();
  for (let i = 0; i < times; i++) await op();
  return (ownCpuMs() - c0) / times;
}
if (frameCrypto.derivePairKey) {
  const [a, b] = [await newIdentity(), await newIdentity()];
  const nonce = () => Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url');
  const party = (keys: unknown) => ({ id: crypto.randomUUID(), keys, nonce: nonce() });
  const [pa, pb] = [party(a.public), party(b.public)];
  const sessionKey = frameCrypto.newSessionKey();
  const derive = await cpuPer(200, () => frameCrypto.derivePairKey(a, pa, pb, sessionKey, 'session'));
  console.log(`pair key (X25519 + HKDF), once per pair and session: ${derive.toFixed(3)} ms CPU`);
  const pairKey = await frameCrypto.derivePairKey(a, pa, pb, sessionKey, 'session');
  const verifyKey = await crypto.subtle.importKey(
    'raw',
    Buffer.from(a.public.sig, 'base64url'),
    'Ed25519',
    false,
    ['verify'],
  );
  for (const size of [300, 256 * 1024]) {
    const payload = { t: 'x'.repeat(size) };
    const data = new TextEncoder().encode(JSON.stringify(payload));
    const header = { type: 'SYNC_DATA', from: pa.id, to: pb.id, c: 1 };
    const env = await frameCrypto.sealFrame(pairKey, header, payload);
    const seal = await cpuPer(200, () => frameCrypto.sealFrame(pairKey, header, payload));
    const open = await cpuPer(200, () => frameCrypto.openFrame(pairKey, env));
    const signature = await crypto.subtle.sign('Ed25519', a.signKey, data);
    const sign = await cpuPer(200, () => crypto.subtle.sign('Ed25519', a.signKey, data));
    const verify = await cpuPer(200, () => crypto.subtle.verify('Ed25519', verifyKey, signature, data));
    console.log(
      `${size} B payload: AES-GCM seal ${seal.toFixed(3)} + open ${open.toFixed(3)} ms CPU (both protocols); an Ed25519 signature would add sign ${sign.toFixed(3)} + verify ${verify.toFixed(3)} ms and 86 B`,
    );
  }
}
