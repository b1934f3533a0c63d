/**
 * Removal benchmark (issue 11): circles of 5 and 8 members, each a DB worker's circle wiring in Node
 * (in-memory SQLite WASM) through the real relay (wrangler dev on loopback, partysocket). All online;
 * the first member removes the last one. Measured: the bytes of the removal announcement (one EPOCH
 * frame as sent, envelope included, and all EPOCH frames of the removal together), and the time from
 * "Remove" until every remaining member holds the new epoch (REMOVAL_RUNS runs per size, default 5).
 * `npm run bench:removal` — results go to BENCHMARKS.md by hand.
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { newCircleSecret } from '../../lib/circle/circle-keys';
import { addMember } from '../../lib/circle/membership';
import { foundCircle, type Circle } from '../../lib/circle/roster';
import { newIdentity } from '../../lib/crypto/identity';
import { loadCircle, saveCircle } from '../../lib/db/circle-store';
import { openMemoryDb } from '../../lib/db/node-memory';
import { createHybridClock } from '../../lib/model/hlc';
import { newDeviceId } from '../../lib/model/ids';
import { createPartySocketTransport } from '../../lib/sync/partysocket-transport';
import type { Transport } from '../../lib/sync/ports';
import { createWorkerCircle, type WorkerCircle } from '../../lib/sync/worker-circle';
import { startRelay } from '../../scripts/relay-process.mjs';

const RUNS = Number(process.env.REMOVAL_RUNS ?? 5);
const epochFrames: number[] = [];

function counted(t: Transport): Transport {
  return {
    ...t,
    get isOpen() {
      return t.isOpen;
    },
    send(frame) {
      const ok = t.send(frame);
      if (ok && typeof frame === 'string' && frame.includes('"type":"EPOCH"'))
        epochFrames.push(Buffer.byteLength(frame));
      return ok;
    },
    onMessage: (cb) => t.onMessage(cb),
    onOpen: (cb) => t.onOpen(cb),
    onClose: (cb) => t.onClose(cb),
    connect: () => t.connect(),
    close: () => t.close(),
  };
}

async function until(cond: () => boolean, what: string, ms = 60_000) {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function run(relayUrl: string, size: number) {
  const members = await Promise.all(
    Array.from({ length: size }, async (_, i) => ({
      id: newDeviceId(),
      sql: await openMemoryDb(),
      identity: await newIdentity(),
      name: `Device ${i + 1}`,
    })),
  );
  const [first] = members;
  let circle: Circle = await foundCircle({
    self: first!.id,
    identity: first!.identity,
    name: first!.name,
    now: Date.now(),
    secret: newCircleSecret(),
    circleId: crypto.randomUUID(),
  });
  for (const m of members.slice(1))
    circle = (await addMember(
      circle,
      { id: first!.id, identity: first!.identity },
      { id: m.id, keys: m.identity.public, name: m.name },
      Date.now(),
    )) as Circle;
  const wirings: WorkerCircle[] = [];
  for (const m of members) {
    saveCircle(m.sql, { circle, relayOrigin: relayUrl });
    const w = createWorkerCircle({
      sql: m.sql,
      clock: createHybridClock(m.id),
      deviceId: m.id,
      identity: m.identity,
      deviceName: m.name,
      emit: () => {},
      openTransport: (o) => counted(createPartySocketTransport(o)),
    });
    wirings.push(w);
    await w.start();
  }
  const everyoneOnline = () => wirings.every((w) => (w.engine?.online().length ?? 0) === size - 1);
  await until(everyoneOnline, 'all members online');

  epochFrames.length = 0;
  const t0 = performance.now();
  const removed = members[size - 1]!;
  const error = await wirings[0]!.remove(removed.id);
  if (error) throw new Error(error);
  await until(
    () => members.slice(0, -1).every((m) => loadCircle(m.sql)?.circle.epoch === 2),
    'every remaining member on the new epoch',
  );
  const ms = performance.now() - t0;
  await until(() => loadCircle(removed.sql) === null, 'the removed member told');
  const toldMs = performance.now() - t0;
  const frames = [...epochFrames];
  for (const w of wirings) await w.leave();
  return { ms, toldMs, frames };
}

async function main() {
  const relay = await startRelay();
  try {
    console.log(`machine: ${cpus().length}× ${cpus()[0]?.model}, load ${loadavg()[0]?.toFixed(1)}`);
    for (const size of [5, 8]) {
      const times: number[] = [];
      const told: number[] = [];
      let frames: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const r = await run(relay.url, size);
        times.push(r.ms);
        told.push(r.toldMs);
        frames = r.frames;
      }
      times.sort((x, y) => x - y);
      told.sort((x, y) => x - y);
      const median = (xs: number[]) => xs[Math.floor(xs.length / 2)]!;
      console.log(
        `circle of ${size}: one EPOCH frame ${Math.max(...frames)} B; the removal's EPOCH frames ${frames.length} ` +
          `(${frames.reduce((s, x) => s + x, 0)} B); every remaining member on the new epoch: median ` +
          `${median(times).toFixed(0)} ms (min ${times[0]!.toFixed(0)}, max ${times.at(-1)!.toFixed(0)}); ` +
          `removed member told: median ${median(told).toFixed(0)} ms`,
      );
    }
  } finally {
    await relay.stop();
  }
}

await main();
process.exit(0);
