/**
 * CPU profiles of the extension's DB worker in a benchmark's Chromium (BENCH_PROFILE=<dir> in
 * pairing.bench.ts). Playwright drives the browser over a pipe and does not reach a dedicated worker
 * of the offscreen document, so the profile goes over Chromium's DevTools port (loopback, a free port
 * per browser): attach to the offscreen document, auto-attach its worker, then Profiler.start/stop.
 * Also: the machine's busy and idle CPU time over a window (/proc/stat), and a summary of a profile.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface CdpMessage {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

export interface WorkerProfiler {
  start(): Promise<void>;
  /** Stops and returns the profile (Chrome's .cpuprofile JSON). */
  stop(): Promise<CpuProfile>;
  close(): void;
}

/** Attaches to the DB worker of the browser whose DevTools listen on `port`. */
export async function attachWorkerProfiler(port: number, timeoutMs = 10_000): Promise<WorkerProfiler> {
  const version = (await (await fetch(`http://127.0.0.1:${port}/json/version`)).json()) as {
    webSocketDebuggerUrl: string;
  };
  const ws = new WebSocket(version.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let next = 0;
  const pending = new Map<number, (m: CdpMessage) => void>();
  const listeners: ((m: CdpMessage) => void)[] = [];
  ws.onmessage = (e) => {
    const m = JSON.parse(String(e.data)) as CdpMessage;
    const done = m.id === undefined ? undefined : pending.get(m.id);
    if (done) {
      pending.delete(m.id!);
      done(m);
    } else for (const l of listeners) l(m);
  };
  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = ++next;
      pending.set(id, (m) =>
        m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result!),
      );
      ws.send(JSON.stringify({ id, method, params, sessionId }));
    });
  const { targetInfos } = (await send('Target.getTargets')) as {
    targetInfos: { targetId: string; url: string }[];
  };
  const offscreen = targetInfos.find((t) => t.url.endsWith('/offscreen.html'));
  if (!offscreen) throw new Error('no offscreen document to profile: has the DB worker started?');
  const { sessionId: page } = (await send('Target.attachToTarget', {
    targetId: offscreen.targetId,
    flatten: true,
  })) as { sessionId: string };
  const worker = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the DB worker did not attach')), timeoutMs);
    listeners.push((m) => {
      const info = m.params?.targetInfo as { type?: string } | undefined;
      if (m.method === 'Target.attachedToTarget' && info?.type === 'worker') {
        clearTimeout(timer);
        resolve(m.params!.sessionId as string);
      }
    });
  });
  await send(
    'Target.setAutoAttach',
    { autoAttach: true, waitForDebuggerOnStart: false, flatten: true },
    page,
  );
  const session = await worker;
  await send('Profiler.enable', {}, session);
  await send('Profiler.setSamplingInterval', { interval: 200 }, session);
  return {
    start: async () => {
      await send('Profiler.start', {}, session);
    },
    stop: async () => ((await send('Profiler.stop', {}, session)) as { profile: CpuProfile }).profile,
    close: () => ws.close(),
  };
}

/**
 * Busy, idle and stolen CPU time of the whole machine since boot, in seconds (all cores). `steal` is
 * time the hypervisor gave our virtual CPUs to someone else (counted in neither busy nor idle).
 */
export function machineCpu(): { busy: number; idle: number; steal: number } {
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = ticks[3]! + ticks[4]!; // idle + iowait
  const steal = ticks[7] ?? 0;
  return {
    busy: (ticks.reduce((a, b) => a + b, 0) - idle - steal) / 100,
    idle: idle / 100,
    steal: steal / 100,
  };
}

export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * The functions with the most self time, as lines "ms name file:line:column" (minified names: look
 * the position up in the built bundle). `(idle)` is time the worker waited for work.
 */
export function topSelfTime(profile: CpuProfile, count = 15): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop() || '-'}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([k, us]) => `${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
}

interface ProcessUse {
  /** CPU seconds, user + system. */
  cpu: number;
  /** Bytes the process passed to write(2) and friends (`wchar` of /proc/<pid>/io), files and pipes alike. */
  written: number;
  ppid: number;
  name: string;
  cmd: string;
  /** CPU seconds per thread name (threads of one name summed), e.g. DedicatedWorker, CrRendererMain. */
  threads: Map<string, number>;
}

/** "pid (comm) state ppid …" of a /proc stat file: comm may hold spaces and parentheses. */
function parseStat(stat: string) {
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  return {
    name: stat.slice(stat.indexOf('(') + 1, close),
    ppid: Number(fields[1]),
    cpu: (Number(fields[11]) + Number(fields[12])) / 100,
  };
}

/** What each live process has used so far, with its parent, name and command line. */
export function processCpu(): Map<number, ProcessUse> {
  const out = new Map<number, ProcessUse>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const proc = parseStat(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const io = readFileSync(`/proc/${entry}/io`, 'utf8');
      const threads = new Map<string, number>();
      for (const tid of readdirSync(`/proc/${entry}/task`)) {
        try {
          const t = parseStat(readFileSync(`/proc/${entry}/task/${tid}/stat`, 'utf8'));
          threads.set(t.name, (threads.get(t.name) ?? 0) + t.cpu);
        } catch {
          // the thread ended while we read it
        }
      }
      out.set(Number(entry), {
        ...proc,
        written: Number(/^wchar: (\d+)/m.exec(io)?.[1] ?? 0),
        cmd,
        threads,
      });
    } catch {
      // the process ended while we read it
    }
  }
  return out;
}

/**
 * Where the machine's CPU went between two processCpu() snapshots, grouped as "label: kind" where
 * `label` names the process tree (a `roots` entry whose command line contains the key) and kind is a
 * Chromium `--type=` or the process name. Lines "seconds MiB-written group", by CPU, largest first,
 * each followed by its busiest threads (≥ 0.05 s).
 */
export function cpuByGroup(
  before: ReturnType<typeof processCpu>,
  after: ReturnType<typeof processCpu>,
  roots: Record<string, string>,
): string[] {
  const groups = new Map<string, { cpu: number; written: number; threads: Map<string, number> }>();
  const labelOf = (pid: number): string => {
    for (let p: number | undefined = pid, hops = 0; p && hops < 20; hops++) {
      const proc = after.get(p);
      if (!proc) break;
      for (const [label, key] of Object.entries(roots)) if (proc.cmd.includes(key)) return label;
      p = proc.ppid;
    }
    return 'other';
  };
  for (const [pid, proc] of after) {
    const used = proc.cpu - (before.get(pid)?.cpu ?? 0);
    const written = proc.written - (before.get(pid)?.written ?? 0);
    if (used <= 0 && written <= 0) continue;
    const kind = /--type=(\S+)/.exec(proc.cmd)?.[1] ?? proc.name;
    const extra = /--extension-process/.test(proc.cmd) ? ' (extension)' : '';
    const key = `${labelOf(pid)}: ${kind}${extra}`;
    const g = groups.get(key) ?? { cpu: 0, written: 0, threads: new Map<string, number>() };
    g.cpu += used;
    g.written += written;
    for (const [name, cpu] of proc.threads) {
      const t = cpu - (before.get(pid)?.threads.get(name) ?? 0);
      if (t > 0) g.threads.set(name, (g.threads.get(name) ?? 0) + t);
    }
    groups.set(key, g);
  }
  return [...groups]
    .sort((a, b) => b[1].cpu - a[1].cpu)
    .map(([k, g]) =>
      [
        `${g.cpu.toFixed(2).padStart(6)} s ${(g.written / 2 ** 20).toFixed(1).padStart(7)} MiB written  ${k}`,
        ...[...g.threads]
          .filter(([, t]) => t >= 0.05)
          .sort((a, b) => b[1] - a[1])
          .map(([name, t]) => `        ${t.toFixed(2)} s  thread ${name}`),
      ].join('\n    '),
    );
}
