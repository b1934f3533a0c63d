import { describe, expect, it } from 'vitest';
import { createDbHost, type WorkerLike } from '../../lib/db/host';
import type { HostEvent } from '../../lib/messages/events';
import type { ToWorker } from '../../lib/messages/worker-frames';

/** A worker that answers only when the test says so, and can "crash". */
function fakeWorker() {
  const sent: ToWorker[] = [];
  const on: { message: ((e: MessageEvent<unknown>) => void)[]; error: ((e: Event) => void)[] } = {
    message: [],
    error: [],
  };
  let terminated = false;
  const worker: WorkerLike = {
    postMessage: (m) => sent.push(m),
    terminate: () => (terminated = true),
    addEventListener: (type: 'message' | 'error', fn: never) => on[type].push(fn),
  };
  return {
    worker,
    sent,
    terminated: () => terminated,
    reply: (data: unknown) => on.message.forEach((f) => f(new MessageEvent('message', { data }))),
    crash: () => on.error.forEach((f) => f(new Event('error'))),
  };
}

function setup(opts: { timeoutMs?: number; maxRestarts?: number } = {}) {
  const workers: ReturnType<typeof fakeWorker>[] = [];
  const events: HostEvent[] = [];
  const host = createDbHost({
    spawn: () => {
      const w = fakeWorker();
      workers.push(w);
      return w.worker;
    },
    onEvent: (e) => events.push(e),
    ...opts,
  });
  return { host, workers, events };
}

describe('DB host', () => {
  it('matches answers to their requests by id', async () => {
    const { host, workers } = setup();
    const a = host.request({ kind: 'db.status' });
    const b = host.request({ kind: 'todos.counts', search: '' });
    const [fa, fb] = workers[0]!.sent;
    workers[0]!.reply({ type: 'response', id: fb!.id, response: { ok: true, data: 'b' } });
    workers[0]!.reply({ type: 'response', id: fa!.id, response: { ok: true, data: 'a' } });
    expect(await a).toEqual({ ok: true, data: 'a' });
    expect(await b).toEqual({ ok: true, data: 'b' });
  });

  it('fails requests in flight when the worker dies, then starts a fresh worker', async () => {
    const { host, workers, events } = setup();
    const pending = host.request({ kind: 'todos.create', input: { title: 'x' } });
    workers[0]!.crash();
    expect(await pending).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(workers[0]!.terminated()).toBe(true);
    expect(workers).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({ kind: 'db.health', state: 'down' });
    workers[1]!.reply({ type: 'ready', openMs: 5 });
    expect(events.at(-1)).toEqual({ kind: 'db.health', state: 'ready', message: '' });
  });

  it('restarts a worker that stops answering', async () => {
    const { host, workers } = setup({ timeoutMs: 5 });
    const r = await host.request({ kind: 'db.status' });
    expect(r).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(workers).toHaveLength(2);
  });

  it('gives up after repeated crashes without a successful open, and says so', async () => {
    const { host, workers, events } = setup({ maxRestarts: 2 });
    for (let i = 0; i < 3; i++) workers.at(-1)!.crash();
    expect(workers).toHaveLength(3);
    expect(events.at(-1)).toMatchObject({
      state: 'down',
      message: expect.stringContaining('could not be started'),
    });
    expect(await host.request({ kind: 'db.status' })).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
  });

  it('forwards change events and ignores frames from a replaced worker', () => {
    const { workers, events } = setup();
    const old = workers[0]!;
    old.crash();
    const before = events.length;
    old.reply({ type: 'event', event: { kind: 'todos.changed', ids: [], op: 'bulk' } });
    expect(events).toHaveLength(before);
    workers[1]!.reply({ type: 'event', event: { kind: 'todos.changed', ids: [], op: 'bulk' } });
    expect(events.at(-1)).toEqual({ kind: 'todos.changed', ids: [], op: 'bulk' });
  });
});
