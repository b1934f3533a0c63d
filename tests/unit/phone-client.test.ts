import { describe, expect, it } from 'vitest';
import { ensureDeviceId } from '../../lib/db/device';
import type { WorkerLike } from '../../lib/db/host';
import { openMemoryDb } from '../../lib/db/node-memory';
import { createRequestHandler } from '../../lib/db/request-handler';
import { createTodoWriter } from '../../lib/db/todo-writes';
import type { HostEvent } from '../../lib/messages/events';
import { toWorkerSchema } from '../../lib/messages/worker-frames';
import { createHybridClock } from '../../lib/model/hlc';
import { createPageClient } from '../../relay/app/page-client';

/**
 * A worker stand-in that runs the real request handler on in-memory SQLite, answering on a later
 * task as a Worker does; `answer` can replace its reply to test what the page accepts.
 */
async function sqliteWorker(answer?: (id: number) => unknown) {
  const sql = await openMemoryDb();
  const deviceId = ensureDeviceId(sql);
  const writer = createTodoWriter({ sql, deviceId, clock: createHybridClock(deviceId) });
  const listeners: ((e: MessageEvent<unknown>) => void)[] = [];
  const deliver = (data: unknown) =>
    setTimeout(() => listeners.forEach((f) => f(new MessageEvent('message', { data }))));
  const handler = createRequestHandler({
    sql,
    writer,
    deviceId,
    schemaVersion: 1,
    openMs: 0,
    devTools: false,
    emit: (event) => deliver({ type: 'event', event }),
  });
  const worker: WorkerLike = {
    postMessage(msg) {
      const frame = toWorkerSchema.parse(msg);
      deliver(
        answer
          ? answer(frame.id)
          : { type: 'response', id: frame.id, response: handler.handle(frame.request) },
      );
    },
    terminate() {},
    addEventListener(type: 'message' | 'error', fn: never) {
      if (type === 'message') listeners.push(fn);
    },
  };
  deliver({ type: 'ready', openMs: 1 });
  return worker;
}

describe('phone page client', () => {
  it('saves and lists todos through its own DB worker, with no background in between', async () => {
    const worker = await sqliteWorker();
    const client = createPageClient(() => worker);
    const created = await client.send({ kind: 'todos.create', input: { title: 'Buy stamps' } });
    expect(created).toMatchObject({ ok: true, data: { title: 'Buy stamps', completed: false } });
    const page = await client.send({
      kind: 'todos.page',
      query: { filter: 'all', sort: 'created', search: '', cursor: null, limit: 10 },
    });
    expect(page.ok && page.data.todos.map((t) => t.title)).toEqual(['Buy stamps']);
    client.close();
  });

  it('announces committed writes and health to every subscriber until it unsubscribes', async () => {
    const worker = await sqliteWorker();
    const client = createPageClient(() => worker);
    const first: HostEvent[] = [];
    const second: HostEvent[] = [];
    const offFirst = client.onEvent((e) => first.push(e));
    client.onEvent((e) => second.push(e));
    await client.send({ kind: 'todos.create', input: { title: 'One' } });
    await new Promise((r) => setTimeout(r));
    offFirst();
    await client.send({ kind: 'todos.create', input: { title: 'Two' } });
    await new Promise((r) => setTimeout(r));
    expect(first.map((e) => e.kind)).toEqual(['db.health', 'todos.changed']);
    expect(second.map((e) => e.kind)).toEqual(['db.health', 'todos.changed', 'todos.changed']);
    client.close();
  });

  it('turns an answer of the wrong shape into an error instead of trusting it', async () => {
    const worker = await sqliteWorker((id) => ({
      type: 'response',
      id,
      response: { ok: true, data: { title: 7 } },
    }));
    const client = createPageClient(() => worker);
    const r = await client.send({ kind: 'todos.create', input: { title: 'Anything' } });
    expect(r).toEqual({
      ok: false,
      error: { code: 'bad_answer', message: 'The database sent an unexpected answer.' },
    });
    client.close();
  });

  it('refuses requests once closed, in words a user can act on', async () => {
    const worker = await sqliteWorker();
    const client = createPageClient(() => worker);
    client.close();
    const r = await client.send({ kind: 'db.status' });
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.error.message).toMatch(/database/i);
  });
});
