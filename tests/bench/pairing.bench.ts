/**
 * Sync between two Chromium profiles with the built extension, through the real relay on loopback
 * and the e2e wiretap (which counts the bytes). Run: npm run bench:pairing. Prints figures; asserts
 * nothing about time. See docs/benchmarks/pairing.md.
 *
 * Per size N: profile A seeds N todos; B joins A's link (first sync: N todos into an empty device);
 * then A edits one todo and they pair again (one change among N on both); then again with no change.
 *
 * The wiretap strips Chromium's permessage-deflate offer (so it can search frames for plain text).
 * BENCH_DIRECT=1 connects the browsers straight to the relay instead, as in use, with compression
 * negotiated; bytes are then not counted (printed as 0).
 * BENCH_TIMELINE=1 also prints each session's sync.state events on both profiles, with their times.
 * BENCH_PROFILE=<dir> also takes a CPU profile of both DB workers during the first sync (written to
 * <dir>/worker-a.cpuprofile and worker-b.cpuprofile, open them in DevTools' Performance panel), prints
 * each one's top functions by self time, and the machine's busy CPU over that sync.
 * BENCH_REPEAT=k repeats the first sync k times from the same A into fresh profiles and prints the median.
 * BENCH_PROCESSES=1 (implied by BENCH_PROFILE) prints the machine's busy CPU and, per process tree
 * (A's and B's Chromium by process type, the relay), CPU seconds and bytes written over the first sync.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';
import { startRelay } from '../../scripts/relay-process.mjs';
import { launchWithExtension, newProfileDir, openSidePanel, sendRequest } from '../e2e/fixtures';
import { startWiretap, type Wiretap } from '../e2e/wiretap';
import {
  attachWorkerProfiler,
  cpuByGroup,
  freePort,
  machineCpu,
  processCpu,
  topSelfTime,
  type WorkerProfiler,
} from './worker-profiler';

const SIZES = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number);
const DIRECT = process.env.BENCH_DIRECT === '1';
const TIMELINE = process.env.BENCH_TIMELINE === '1';
const PROFILE_DIR = process.env.BENCH_PROFILE;
const PROCESSES = process.env.BENCH_PROCESSES === '1';
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 1) || 1);
const SEED_CHUNK = 10_000;
/** Flushes dirty pages to disk (Linux `sync`), so one step's writes are not paid by the next one. */
function settleDisk() {
  if (process.platform === 'linux') execFileSync('sync');
}
const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

interface Profile {
  ctx: BrowserContext;
  page: Page;
  dir: string;
  /** BENCH_PROFILE: the browser's DevTools port. */
  devtoolsPort?: number;
}

async function profile(relayUrl: string): Promise<Profile> {
  const dir = newProfileDir();
  const devtoolsPort = PROFILE_DIR ? await freePort() : undefined;
  const ctx = await launchWithExtension(dir, {
    extraArgs: devtoolsPort ? [`--remote-debugging-port=${devtoolsPort}`] : [],
  });
  const page = await openSidePanel(ctx);
  await sendRequest(page, { kind: 'settings.set', relayUrl });
  return { ctx, page, dir, devtoolsPort };
}

/**
 * BENCH_PROFILE: profiles both DB workers around `run`, saves and summarises the profiles.
 * BENCH_PROFILE or BENCH_PROCESSES=1: prints the machine's busy CPU and each process tree's CPU
 * and bytes written over `run`.
 */
async function profiled<T>(a: Profile, b: Profile, run: () => Promise<T>): Promise<T> {
  if (!PROFILE_DIR && !PROCESSES) return run();
  const profilers: [string, WorkerProfiler][] = PROFILE_DIR
    ? [
        ['a', await attachWorkerProfiler(a.devtoolsPort!)],
        ['b', await attachWorkerProfiler(b.devtoolsPort!)],
      ]
    : [];
  for (const [, p] of profilers) await p.start();
  const cpu0 = machineCpu();
  const procs0 = processCpu();
  const t0 = Date.now();
  const out = await run();
  const cpu1 = machineCpu();
  const procs1 = processCpu();
  console.log(
    `  machine over ${((Date.now() - t0) / 1000).toFixed(2)} s: ${(cpu1.busy - cpu0.busy).toFixed(2)} core-s busy, ${(cpu1.idle - cpu0.idle).toFixed(2)} core-s idle, ${(cpu1.steal - cpu0.steal).toFixed(2)} core-s stolen (${os.cpus().length} cores)`,
  );
  const byGroup = cpuByGroup(procs0, procs1, {
    A: a.dir,
    B: b.dir,
    relay: 'workerd',
    bench: 'pairing.bench',
  });
  console.log(`  by process tree:\n    ${byGroup.slice(0, 10).join('\n    ')}`);
  for (const [name, p] of profilers) {
    const cpu = await p.stop();
    p.close();
    mkdirSync(PROFILE_DIR!, { recursive: true });
    const file = path.join(PROFILE_DIR!, `worker-${name}.cpuprofile`);
    writeFileSync(file, JSON.stringify(cpu));
    console.log(
      `  ${name.toUpperCase()}'s DB worker (${file}), self time:\n    ${topSelfTime(cpu).join('\n    ')}`,
    );
  }
  return out;
}

async function countOf(p: Profile): Promise<number> {
  const r = (await sendRequest(p.page, { kind: 'todos.counts', search: '' })) as {
    ok: boolean;
    data: { all: number };
  };
  if (!r.ok) throw new Error(`todos.counts failed: ${JSON.stringify(r)}`);
  return r.data.all;
}

/** Resolves in the page with performance.now() of the first `sync.state` done event. */
const armDone = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<{ at: number; state: unknown }>((resolve) => {
        chrome.runtime.onMessage.addListener(
          (m: { channel?: string; event?: { kind?: string; state?: { phase?: string } } }) => {
            if (m.channel === 'tt.event' && m.event?.kind === 'sync.state' && m.event.state?.phase === 'done')
              resolve({ at: performance.timeOrigin + performance.now(), state: m.event.state });
          },
        );
      }),
  );

/**
 * WebSocket bytes (frames with their headers, PING/PONG and closes), HTTP upgrade heads left out.
 * `sent` is what the devices sent to the relay (comparable with bench:sync); `total` adds what the
 * relay forwarded to them, i.e. both legs of every frame.
 */
function wire(tap: Wiretap) {
  let sent = 0;
  let total = 0;
  for (const s of tap.streams) {
    const b = s.bytes();
    const head = b.indexOf('\r\n\r\n');
    const n = head < 0 ? 0 : b.length - head - 4;
    total += n;
    if (s.direction === 'to-relay') sent += n;
  }
  return { sent, total };
}
const summary = (s: unknown) => {
  const { sent, received, status } = s as { sent: number; received: number; status: string };
  return `B sent ${sent}, received ${received}, ${status}`;
};

/** Every sync.state event of the page, with its time (BENCH_TIMELINE=1: where a sync's time goes). */
const armTimeline = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as { __timeline: unknown[] };
    w.__timeline = [];
    chrome.runtime.onMessage.addListener(
      (m: { channel?: string; event?: { kind?: string; state?: unknown } }) => {
        if (m.channel === 'tt.event' && m.event?.kind === 'sync.state')
          w.__timeline.push({ at: performance.timeOrigin + performance.now(), ...(m.event.state as object) });
      },
    );
  });
const timelineOf = (page: Page) =>
  page.evaluate(
    () =>
      (window as unknown as { __timeline: { at: number; phase: string; sent?: number; received?: number }[] })
        .__timeline,
  );

async function session(a: Profile, b: Profile, tap: Wiretap) {
  const before = wire(tap);
  if (TIMELINE) await Promise.all([armTimeline(a.page), armTimeline(b.page)]);
  const pair = (await sendRequest(a.page, { kind: 'sync.pair' })) as { data: { link: string } };
  const doneA = armDone(a.page);
  const doneB = armDone(b.page);
  const t0 = Date.now();
  await sendRequest(b.page, { kind: 'sync.join', link: pair.data.link });
  const [ra, rb] = await Promise.all([doneA, doneB]);
  const ms = Math.max(ra.at, rb.at) - t0;
  if (TIMELINE)
    for (const [name, p] of [
      ['A', a],
      ['B', b],
    ] as const) {
      const events = await timelineOf(p.page);
      console.log(
        `  ${name}: ${events
          .filter(
            (e, i) => i === 0 || e.phase !== events[i - 1]!.phase || i % 10 === 0 || i === events.length - 1,
          )
          .map(
            (e) =>
              `${(e.at - t0).toFixed(0)}ms ${e.phase}${e.sent === undefined ? '' : ` s${e.sent}/r${e.received}`}`,
          )
          .join(', ')}`,
      );
    }
  // Let the last frames and the close handshake pass before counting and moving on.
  await sendRequest(a.page, { kind: 'sync.cancel' });
  await sendRequest(b.page, { kind: 'sync.cancel' });
  const after = wire(tap);
  const kib = (x: number) => `${(x / 1024).toFixed(x < 100 * 1024 ? 1 : 0)} KiB`;
  const bytesText = `${kib(after.sent - before.sent)} sent by the devices, ${kib(after.total - before.total)} on both legs`;
  return { ms, bytesText, b: rb.state };
}

/**
 * BENCH_REPEAT=k: k − 1 more first syncs from the same A, each into a fresh empty profile, then the
 * median of all k (one process, one seed: the steadier comparison on a noisy machine).
 */
async function repeatFirstSync(a: Profile, n: number, firstMs: number, relayUrl: string, tap: Wiretap) {
  if (REPEAT <= 1) return;
  const times = [firstMs];
  for (let i = 2; i <= REPEAT; i++) {
    const b = await profile(relayUrl);
    try {
      settleDisk();
      const run = await profiled(a, b, () => session(a, b, tap));
      const arrived = await countOf(b);
      if (arrived !== n) throw new Error(`B holds ${arrived} todos after sync ${i}, not ${n}`);
      times.push(run.ms);
      console.log(`N=${n}: into an empty device, run ${i}: ${run.ms.toFixed(0)} ms; load ${load()}`);
    } finally {
      await b.ctx.close();
      rmSync(b.dir, { recursive: true, force: true });
    }
  }
  const sorted = [...times].sort((x, y) => x - y);
  console.log(
    `N=${n}: into an empty device, ${REPEAT} runs: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms (${times.map((t) => t.toFixed(0)).join(' / ')})`,
  );
}

async function main() {
  const relay = await startRelay();
  console.log(
    `machine: ${os.cpus().length} cpu, load ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  try {
    for (const n of SIZES) {
      const tap = await startWiretap({ host: '127.0.0.1', port: relay.port });
      const [a, b] = await Promise.all([
        profile(DIRECT ? relay.url : tap.url),
        profile(DIRECT ? relay.url : tap.url),
      ]);
      try {
        const seedStart = Date.now();
        // In chunks: one 100,000-row seed can outlast the extension's request timeout on a loaded
        // machine, and a refused seed used to go unnoticed (the sync then moved 0 rows).
        for (let done = 0; done < n; done += SEED_CHUNK) {
          const r = (await sendRequest(a.page, {
            kind: 'dev.seed',
            count: Math.min(SEED_CHUNK, n - done),
          })) as {
            ok: boolean;
          };
          if (!r.ok) throw new Error(`seeding A failed: ${JSON.stringify(r)}`);
        }
        const seeded = await countOf(a);
        if (seeded !== n) throw new Error(`A holds ${seeded} todos, not ${n}`);
        console.log(`N=${n}: seeded A in ${Date.now() - seedStart} ms`);
        // The seed's ~70 MB still sit in the page cache: written back now, not during the timed sync.
        settleDisk();
        const first = await profiled(a, b, () => session(a, b, tap));
        console.log(
          `N=${n}: into an empty device: ${first.ms.toFixed(0)} ms, ${first.bytesText}; ${summary(first.b)}; load ${load()}`,
        );
        const arrived = await countOf(b);
        if (arrived !== n) throw new Error(`B holds ${arrived} todos after the sync, not ${n}`);
        await repeatFirstSync(a, n, first.ms, DIRECT ? relay.url : tap.url, tap);
        // The yardstick in the same runtime: B's worker inserts the same rows into an empty database
        // on OPFS, one transaction, through the same Sql port (lib/db/dev-bare-insert.ts).
        settleDisk();
        const bare = (await sendRequest(b.page, { kind: 'dev.bareInsert' })) as {
          ok: boolean;
          data: { rows: number; ms: number };
        };
        if (!bare.ok || bare.data.rows !== n) throw new Error(`bare insert failed: ${JSON.stringify(bare)}`);
        console.log(
          `N=${n}: bare SQLite insert of the same ${bare.data.rows} rows in B's worker on OPFS: ${bare.data.ms.toFixed(0)} ms; sync = ${(first.ms / bare.data.ms).toFixed(1)}× that`,
        );
        const page = (await sendRequest(a.page, {
          kind: 'todos.page',
          query: { filter: 'all', sort: 'created', search: '', cursor: null, limit: 1 },
        })) as { data: { todos: { id: string }[] } };
        await sendRequest(a.page, {
          kind: 'todos.update',
          id: page.data.todos[0]!.id,
          patch: { title: 'Changed once' },
        });
        const one = await session(a, b, tap);
        console.log(
          `N=${n}: one change among N: ${one.ms.toFixed(0)} ms, ${one.bytesText}; ${summary(one.b)}`,
        );
        const none = await session(a, b, tap);
        console.log(`N=${n}: no change: ${none.ms.toFixed(0)} ms, ${none.bytesText}; ${summary(none.b)}`);
      } finally {
        for (const p of [a, b]) {
          await p.ctx.close();
          rmSync(p.dir, { recursive: true, force: true });
        }
        await tap.close();
      }
    }
  } finally {
    await relay.stop();
  }
}

await main();
