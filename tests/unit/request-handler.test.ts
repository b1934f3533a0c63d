import { describe, expect, it } from 'vitest';
import { ensureDeviceId } from '../../lib/db/device';
import { createFaultySql } from '../../lib/db/fault-sql';
import { openMemoryDb } from '../../lib/db/node-memory';
import { createRequestHandler } from '../../lib/db/request-handler';
import { createTodoWriter } from '../../lib/db/todo-writes';
import type { ChangedEvent } from '../../lib/messages/events';
import { createHybridClock } from '../../lib/model/hlc';

async function setup(devTools = true) {
  const faulty = createFaultySql(await openMemoryDb());
  const sql = faulty.sql;
  const deviceId = ensureDeviceId(sql);
  const writer = createTodoWriter({ sql, deviceId, clock: createHybridClock(deviceId) });
  const events: ChangedEvent[] = [];
  const handler = createRequestHandler({
    sql,
    writer,
    deviceId,
    schemaVersion: 1,
    openMs: 0,
    devTools,
    emit: (e) => events.push(e),
    arm: faulty.arm,
  });
  return { handler, events, sql };
}

describe('request handler', () => {
  it('saves a trimmed title and announces the change', async () => {
    const { handler, events } = await setup();
    const r = handler.handle({ kind: 'todos.create', input: { title: '  Milk  ' } });
    expect(r).toMatchObject({ ok: true, data: { title: 'Milk' } });
    expect(events).toEqual([
      { kind: 'todos.changed', ids: [(r as { data: { id: string } }).data.id], op: 'create' },
    ]);
  });

  it('refuses an empty title with a message and announces nothing', async () => {
    const { handler, events } = await setup();
    expect(handler.handle({ kind: 'todos.create', input: { title: '   ' } })).toEqual({
      ok: false,
      error: { code: 'invalid', message: 'A todo needs a title.' },
    });
    expect(events).toEqual([]);
  });

  it('reports a full disk as storage.full, keeps earlier todos and leaves no partial row', async () => {
    const { handler, sql, events } = await setup();
    handler.handle({ kind: 'todos.create', input: { title: 'kept' } });
    handler.handle({ kind: 'dev.fail', fault: 'full' });
    const r = handler.handle({ kind: 'todos.create', input: { title: 'lost' } });
    expect(r).toMatchObject({ ok: false, error: { code: 'storage.full' } });
    expect(sql.all<{ title: string }>('SELECT title FROM todos').map((t) => t.title)).toEqual(['kept']);
    expect(events).toHaveLength(1);
  });

  it('maps corrupt and locked databases to their own codes', async () => {
    const { handler } = await setup();
    const created = handler.handle({ kind: 'todos.create', input: { title: 'x' } });
    if (!created.ok) throw new Error('setup');
    const id = (created.data as { id: string }).id as never;
    handler.handle({ kind: 'dev.fail', fault: 'corrupt' });
    expect(handler.handle({ kind: 'todos.update', id, patch: { completed: true } })).toMatchObject({
      ok: false,
      error: { code: 'storage.corrupt' },
    });
    handler.handle({ kind: 'dev.fail', fault: 'locked' });
    expect(handler.handle({ kind: 'todos.remove', id })).toMatchObject({
      ok: false,
      error: { code: 'storage.locked' },
    });
  });

  it('seeds in one bulk write and announces it once', async () => {
    const { handler, events } = await setup();
    expect(handler.handle({ kind: 'dev.seed', count: 1000 })).toEqual({ ok: true, data: { inserted: 1000 } });
    expect(events).toEqual([{ kind: 'todos.changed', ids: [], op: 'bulk' }]);
    expect(handler.handle({ kind: 'todos.counts', search: '' })).toEqual({
      ok: true,
      data: { all: 1000, active: 1000, completed: 0 },
    });
  });

  it('refuses dev requests in production builds', async () => {
    const { handler } = await setup(false);
    expect(handler.handle({ kind: 'dev.seed', count: 10 })).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
    expect(handler.handle({ kind: 'dev.fail', fault: 'full' })).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
  });
});
