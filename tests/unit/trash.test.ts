import { describe, expect, it } from 'vitest';
import { ensureDeviceId } from '../../lib/db/device';
import { openMemoryDb } from '../../lib/db/node-memory';
import { createRequestHandler } from '../../lib/db/request-handler';
import { createTodoWriter } from '../../lib/db/todo-writes';
import { parseResponse } from '../../lib/messages/requests';
import type { TrashPage } from '../../lib/messages/trash-schema';
import { createHybridClock } from '../../lib/model/hlc';
import type { TodoId } from '../../lib/model/ids';

async function setup() {
  const sql = await openMemoryDb();
  const deviceId = ensureDeviceId(sql);
  let t = Date.UTC(2026, 11, 2, 9);
  const clock = createHybridClock(deviceId, () => (t += 1000));
  const writer = createTodoWriter({ sql, deviceId, clock, now: () => t });
  const handler = createRequestHandler({
    sql,
    writer,
    deviceId,
    schemaVersion: 3,
    openMs: 0,
    devTools: false,
    emit: () => {},
  });
  const add = (title: string, description?: string) => {
    const r = writer.create({ title, description });
    if (!r.ok) throw new Error(r.error);
    return r.todo.id;
  };
  const list = (search = '', limit = 100): TrashPage => {
    const r = parseResponse('trash.list', handler.handle({ kind: 'trash.list', query: { search, limit } }));
    if (!r.ok) throw new Error(r.error.message);
    return r.data;
  };
  const titles = (search = '') => list(search).items.map((i) => i.todo.title);
  return { sql, writer, handler, add, list, titles };
}

describe('trash', () => {
  it('lists deleted todos with their content, newest deletion first, and not live ones', async () => {
    const { writer, add, list, titles } = await setup();
    const a = add('Buy milk');
    const b = add('Call Bob', 'about the roof');
    add('Still here');
    writer.remove(a);
    writer.remove(b);
    expect(titles()).toEqual(['Call Bob', 'Buy milk']);
    const page = list();
    expect(page.total).toBe(2);
    expect(page.items[0]!.todo.description).toBe('about the roof');
    expect(page.items[0]!.deletedAt).toBeGreaterThan(page.items[1]!.deletedAt);
  });

  it('searches titles and descriptions, with % and _ taken literally', async () => {
    const { writer, add, titles } = await setup();
    for (const id of [add('Buy milk'), add('Roof', 'call Bob'), add('100% done'), add('1000 done')])
      writer.remove(id);
    expect(titles('bob')).toEqual(['Roof']);
    expect(titles('100%')).toEqual(['100% done']);
  });

  it('counts every match but returns only the newest `limit`', async () => {
    const { writer, add, list } = await setup();
    for (let i = 0; i < 5; i++) writer.remove(add(`Todo ${i}`));
    const page = list('', 2);
    expect(page.total).toBe(5);
    expect(page.items.map((i) => i.todo.title)).toEqual(['Todo 4', 'Todo 3']);
  });

  it('restores with an ordinary write that stamps deleted anew', async () => {
    const { sql, handler, writer, add, titles } = await setup();
    const id = add('Buy milk');
    writer.remove(id);
    const before = sql.get<{ deleted_hlc: string }>('SELECT deleted_hlc FROM todos WHERE id = ?', [id])!;
    expect(handler.handle({ kind: 'todos.restore', id })).toMatchObject({
      ok: true,
      data: { deleted: false },
    });
    const after = sql.get<{ deleted_hlc: string }>('SELECT deleted_hlc FROM todos WHERE id = ?', [id])!;
    expect(after.deleted_hlc > before.deleted_hlc).toBe(true);
    expect(titles()).toEqual([]);
  });

  it('Delete forever hides that deletion but keeps the tombstone, its content and its stamps', async () => {
    const { sql, handler, writer, add, titles } = await setup();
    const id = add('Secret plan');
    writer.remove(id);
    const row = () => sql.get('SELECT * FROM todos WHERE id = ?', [id]);
    const before = row();
    expect(handler.handle({ kind: 'trash.forget', id })).toEqual({ ok: true, data: null });
    expect(titles()).toEqual([]);
    expect(row()).toEqual(before);
  });

  it('shows a todo again when it is restored and deleted again after Delete forever', async () => {
    const { handler, writer, add, titles } = await setup();
    const id = add('Comes back');
    writer.remove(id);
    handler.handle({ kind: 'trash.forget', id });
    writer.restore(id);
    writer.remove(id);
    expect(titles()).toEqual(['Comes back']);
  });

  it('refuses Delete forever for a todo that is not deleted', async () => {
    const { handler, add } = await setup();
    const id = add('Alive');
    expect(handler.handle({ kind: 'trash.forget', id })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(handler.handle({ kind: 'trash.forget', id: `${id.slice(0, -4)}ffff` as TodoId })).toMatchObject({
      ok: false,
    });
  });

  it('Empty trash hides every deletion and says how many; later deletions show', async () => {
    const { handler, writer, add, titles } = await setup();
    writer.remove(add('One'));
    writer.remove(add('Two'));
    const live = add('Three');
    expect(handler.handle({ kind: 'trash.empty' })).toEqual({ ok: true, data: { hidden: 2 } });
    expect(titles()).toEqual([]);
    writer.remove(live);
    expect(titles()).toEqual(['Three']);
  });
});
