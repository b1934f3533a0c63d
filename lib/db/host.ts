/**
 * The DB host: owns the DB worker, correlates requests with answers, and restarts the worker when it
 * dies or stops answering. Chrome's offscreen document and Firefox's background page are both thin
 * adapters over this module.
 */
import type { HostEvent } from '../messages/events';
import type { Request, Response } from '../messages/requests';
import { fromWorkerSchema, type ToWorker } from '../messages/worker-frames';

/** The part of `Worker` the host needs; tests pass a fake. */
export interface WorkerLike {
  postMessage(msg: ToWorker): void;
  terminate(): void;
  addEventListener(type: 'message', fn: (e: MessageEvent<unknown>) => void): void;
  addEventListener(type: 'error', fn: (e: Event) => void): void;
}

export interface DbHostDeps {
  spawn: () => WorkerLike;
  onEvent: (e: HostEvent) => void;
  /** A request not answered in this time counts as a hung worker. Covers a cold open (≤ ~1.5 s). */
  timeoutMs?: number;
  /** Restarts allowed in a row without one successful open, so a broken database cannot loop forever. */
  maxRestarts?: number;
}

export interface DbHost {
  request(req: Request): Promise<Response>;
  close(): void;
}

const DIED = 'The database stopped unexpectedly. Your last change may not have been saved; please try again.';
const GAVE_UP =
  'The database could not be started. Close and reopen the browser; your saved todos are kept on disk.';

export function createDbHost(deps: DbHostDeps): DbHost {
  const timeoutMs = deps.timeoutMs ?? 15_000;
  const maxRestarts = deps.maxRestarts ?? 3;
  const pending = new Map<number, { resolve: (r: Response) => void; timer: ReturnType<typeof setTimeout> }>();
  let nextId = 1;
  let worker: WorkerLike | null = null;
  let generation = 0;
  let restartsInARow = 0;
  let gaveUp = false;

  const failAll = (message: string) => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      p.resolve({ ok: false, error: { code: 'unavailable', message } });
      pending.delete(id);
    }
  };

  function start() {
    const gen = ++generation;
    const w = deps.spawn();
    worker = w;
    w.addEventListener('message', (e) => {
      if (gen !== generation) return; // a late frame from a worker we already replaced
      const f = fromWorkerSchema.safeParse(e.data);
      if (!f.success) return;
      const frame = f.data;
      switch (frame.type) {
        case 'ready':
          restartsInARow = 0;
          deps.onEvent({ kind: 'db.health', state: 'ready', message: '' });
          return;
        case 'failed':
          deps.onEvent({ kind: 'db.health', state: 'down', message: frame.error.message });
          return;
        case 'event':
          deps.onEvent(frame.event);
          return;
        case 'response': {
          const p = pending.get(frame.id);
          if (!p) return;
          clearTimeout(p.timer);
          pending.delete(frame.id);
          p.resolve(frame.response as Response);
        }
      }
    });
    w.addEventListener('error', () => {
      if (gen === generation) restart();
    });
  }

  function restart() {
    worker?.terminate();
    worker = null;
    failAll(DIED);
    restartsInARow += 1;
    if (restartsInARow > maxRestarts) {
      gaveUp = true;
      deps.onEvent({ kind: 'db.health', state: 'down', message: GAVE_UP });
      return;
    }
    deps.onEvent({ kind: 'db.health', state: 'down', message: DIED });
    start();
  }

  start();

  return {
    request(request) {
      if (gaveUp || !worker)
        return Promise.resolve({ ok: false, error: { code: 'unavailable', message: GAVE_UP } });
      const id = nextId++;
      const w = worker;
      return new Promise<Response>((resolve) => {
        const timer = setTimeout(() => {
          if (!pending.has(id)) return;
          // A hung worker holds the database's access handles; only a fresh worker gets them back.
          if (worker === w) restart();
        }, timeoutMs);
        pending.set(id, { resolve, timer });
        w.postMessage({ id, request });
      });
    },
    close() {
      failAll('The database was closed.');
      generation++;
      worker?.terminate();
      worker = null;
    },
  };
}
