import { expect, it } from 'vitest';
import { bareInsert } from '../../lib/db/dev-bare-insert';
import { openMemoryDb } from '../../lib/db/node-memory';
import { createTodoWriter } from '../../lib/db/todo-writes';
import type { Sql } from '../../lib/db/sql';
import { createHybridClock } from '../../lib/model/hlc';
import { newDeviceId } from '../../lib/model/ids';

it('copies every todo into an empty database in one go, times it, and drops the copy', async () => {
  const from = await openMemoryDb();
  const id = newDeviceId();
  const writer = createTodoWriter({ sql: from, clock: createHybridClock(id), deviceId: id });
  writer.createMany(Array.from({ length: 120 }, (_, i) => ({ title: `Todo ${i}` })));
  writer.create({ title: 'with <b>markup</b> and émoji 🧪', description: 'notes' });
  const copy = await openMemoryDb({ migrate: false });
  let copied: unknown[] = [];
  const result = bareInsert(from, () => ({
    sql: copy,
    drop: () => {
      copied = copy.all('SELECT * FROM todos ORDER BY id');
    },
  }));
  expect(result.rows).toBe(121);
  expect(result.ms).toBeGreaterThanOrEqual(0);
  expect(copied).toEqual(from.all('SELECT * FROM todos ORDER BY id'));
});

it('drops the copy even when the insert fails', async () => {
  const from = await openMemoryDb();
  const id = newDeviceId();
  createTodoWriter({ sql: from, clock: createHybridClock(id), deviceId: id }).create({ title: 'One' });
  let dropped = false;
  const broken: Sql = { ...(await openMemoryDb({ migrate: false })) };
  broken.transaction = () => {
    throw new Error('disk full');
  };
  expect(() =>
    bareInsert(from, () => ({
      sql: broken,
      drop: () => {
        dropped = true;
      },
    })),
  ).toThrow(/disk full/);
  expect(dropped).toBe(true);
});
