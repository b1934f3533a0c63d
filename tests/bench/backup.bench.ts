/**
 * Backup, restore, export and import of 10,000 and 100,000 todos in Node 22 (in-memory SQLite WASM,
 * the default Argon2id cost). `npx jiti tests/bench/backup.bench.ts`; figures in BENCHMARKS.md.
 */
import { makeBackup, restoreBackup } from '../../lib/backup/backup-jobs';
import { exportTodos } from '../../lib/backup/export-file';
import { writeImport } from '../../lib/backup/import-jobs';
import { parseImport } from '../../lib/backup/import-parse';
import { openMemoryDb } from '../../lib/db/node-memory';
import { createTodoWriter } from '../../lib/db/todo-writes';
import { createHybridClock } from '../../lib/model/hlc';
import { newDeviceId } from '../../lib/model/ids';

async function fresh() {
  const sql = await openMemoryDb();
  const deviceId = newDeviceId();
  const clock = createHybridClock(deviceId);
  return { sql, deviceId, clock, writer: createTodoWriter({ sql, clock, deviceId }) };
}

const ms = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
  const t = performance.now();
  const r = await f();
  return [r, Math.round(performance.now() - t)];
};
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

for (const n of [10_000, 100_000]) {
  const a = await fresh();
  a.writer.createMany(
    Array.from({ length: n }, (_, i) => ({
      title: `Seeded todo ${i + 1}`,
      description: i % 3 === 0 ? `Notes for seeded todo ${i + 1}` : null,
      due_date: i % 4 === 0 ? '2026-12-05' : null,
    })),
  );
  const [bk, tBackup] = await ms(() => makeBackup('tulip orbit canyon pebble', { sql: a.sql }));
  const b = await fresh();
  const [, tRestore] = await ms(() => restoreBackup(bk.blob, 'tulip orbit canyon pebble', b));
  const [json, tJson] = await ms(() => exportTodos('json', { filter: 'all', search: '' }, { sql: a.sql }));
  const [csv, tCsv] = await ms(() => exportTodos('csv', { filter: 'all', search: '' }, { sql: a.sql }));
  const c = await fresh();
  const text = await json.blob.text();
  const [, tImport] = await ms(async () => {
    const p = parseImport('x.json', text);
    if (!p.ok) throw new Error(p.problem);
    return writeImport(p.todos, c);
  });
  console.log(
    `${n} todos: backup ${tBackup} ms (${mb(bk.blob.size)}), restore into empty ${tRestore} ms; ` +
      `JSON export ${tJson} ms (${mb(json.blob.size)}), CSV export ${tCsv} ms (${mb(csv.blob.size)}); JSON import ${tImport} ms`,
  );
}
