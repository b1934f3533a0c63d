/**
 * CPU profiles of the extension's DB worker in a benchmark's Chromium (BENCH_PROFILE=<dir> in
 * pairing.bench.ts). Playwright drives the browser over a pipe and does not reach a dedicated worker
 * of the offscreen document, so the profile goes over Chromium's DevTools port (loopback, a free port
 * per browser): attach to the offscreen document, auto-attach its worker, then Profiler.start/stop.
 * Also: the machine's busy and idle CPU time over a window (/proc/stat), and a summary of a profile.
 */
import { readFileSync } from 'node:fs';
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

/** Busy and idle CPU time of the whole machine since boot, in seconds (all cores). */
export function machineCpu(): { busy: number; idle: number } {
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = ticks[3]! + ticks[4]!; // idle + iowait
  return { busy: (ticks.reduce((a, b) => a + b, 0) - idle) / 100, idle: idle / 100 };
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
