/**
 * Issue 14's measures for what is built: a 100,000-row sync applied with the history triggers
 * (migration 4) on and off, and the history table's size after 10,000 random edits from 3 devices.
 * Node 22, in-memory SQLite WASM, the SQLite SyncStorage's applyRows in batches of 1,000 rows (one
 * transaction each, as a stream's batches are). `npx jiti tests/bench/history.bench.ts`; figures in
 * BENCHMARKS.md. After a warm-up run, three rounds alternate which goes first, so load on the shared machine
 * hits both alike; the median of three is reported.
 */
import { openMemoryDb } from '../../lib/db/node-memory';
import { createSqliteSyncStorage } from '../../lib/db/sync-storage';
import type { Sql } from '../../lib/db/sql';
import { encodeHlc, type Hlc } from '../../lib/model/hlc';
import { newDeviceId, newTodoId, type DeviceId, type TodoId } from '../../lib/model/ids';
import type { SyncRow } from '../../lib/model/merge';
import { SYNC_FIELDS } from '../../lib/model/todo';

const N = 100_000;
const BATCH = 1_000;
const T0 = Date.UTC(2026, 11, 1);
const A = newDeviceId();
const B = newDeviceId();
const ids: TodoId[] = Array.from({ length: N }, (_, i) => newTodoId(A, T0 + i));

function rows(wall: number, device: DeviceId, title: (i: number) => string): SyncRow[] {
  const s = encodeHlc({ wall, counter: 0, deviceId: device });
  return ids.map((id, i) => ({
    id,
    title: title(i),
    description: i % 3 === 0 ? `Notes ${i}` : null,
    completed: false,
    priority: 'medium',
    due_date: null,
    deleted: false,
    device_id: A,
    created_at: T0 + i,
    hlc: Object.fromEntries(SYNC_FIELDS.map((f) => [f, s])) as Record<(typeof SYNC_FIELDS)[number], Hlc>,
  }));
}
const created = rows(T0, A, (i) => `Todo ${i}`);
// Every title changed on another device later: each row updates, and with triggers records twice.
const edited = created.map((r, i) => ({
  ...r,
  title: `Todo ${i} (edited)`,
  hlc: { ...r.hlc, title: encodeHlc({ wall: T0 + 60_000, counter: 0, deviceId: B }) },
}));

const dropTriggers = (sql: Sql) => {
  for (const t of sql.all<{ name: string }>("SELECT name FROM sqlite_schema WHERE type = 'trigger'"))
    sql.run(`DROP TRIGGER ${t.name}`);
};

async function run(history: boolean) {
  const sql = await openMemoryDb();
  if (!history) dropTriggers(sql);
  const st = createSqliteSyncStorage(sql);
  const apply = (all: SyncRow[]) => {
    const t = performance.now();
    for (let i = 0; i < all.length; i += BATCH) st.applyRows(all.slice(i, i + BATCH));
    return performance.now() - t;
  };
  const insert = apply(created);
  const update = apply(edited);
  const hist = sql.get<{ n: number }>('SELECT count(*) AS n FROM todo_history')?.n ?? 0;
  sql.close();
  return { insert, update, hist };
}

const results: Record<'on' | 'off', { insert: number[]; update: number[]; hist: number }> = {
  on: { insert: [], update: [], hist: 0 },
  off: { insert: [], update: [], hist: 0 },
};
await run(true); // warm-up (JIT, WASM), not counted
for (let round = 0; round < 3; round++)
  for (const mode of round % 2 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
    const r = await run(mode === 'on');
    results[mode].insert.push(r.insert);
    results[mode].update.push(r.update);
    results[mode].hist = r.hist;
  }
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
const rate = (ms: number) => `${Math.round(N / (ms / 1000)).toLocaleString('en')} rows/s`;
for (const mode of ['on', 'off'] as const) {
  const r = results[mode];
  console.log(
    `history ${mode}: ${N} new rows ${Math.round(med(r.insert))} ms (${rate(med(r.insert))}); ` +
      `${N} title changes ${Math.round(med(r.update))} ms (${rate(med(r.update))}); history rows ${r.hist}`,
  );
}

// 10,000 random edits (random todo, random field, one of 3 devices) through applyRows, as synced in.
for (const todos of [100, 10_000]) {
  const sql = await openMemoryDb();
  const st = createSqliteSyncStorage(sql);
  st.applyRows(created.slice(0, todos));
  const devices = [A, B, newDeviceId()];
  const current = created.slice(0, todos).map((r) => ({ ...r, hlc: { ...r.hlc } }));
  let seed = 1;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let e = 0; e < 10_000; e++) {
    const i = Math.floor(rand() * todos);
    const r = current[i]!;
    const f = (['title', 'description', 'priority', 'completed', 'due_date'] as const)[
      Math.floor(rand() * 5)
    ]!;
    const s = encodeHlc({ wall: T0 + 1000 + e, counter: 0, deviceId: devices[e % 3]! });
    if (f === 'title') r.title = `Edit ${e}`;
    else if (f === 'description') r.description = `Desc ${e}`;
    else if (f === 'priority') r.priority = (['low', 'medium', 'high'] as const)[e % 3]!;
    else if (f === 'completed') r.completed = !r.completed;
    else r.due_date = `2026-12-${String(1 + (e % 28)).padStart(2, '0')}` as SyncRow['due_date'];
    r.hlc[f] = s;
    st.applyRows([r]);
  }
  const n = sql.get<{ n: number }>('SELECT count(*) AS n FROM todo_history')!.n;
  const bytes = sql.get<{ b: number }>(
    'SELECT sum(length(todo_id) + length(field) + length(hlc) + length(CAST(value AS TEXT)) + 8) AS b FROM todo_history',
  )!.b;
  const perTodoMax = sql.get<{ m: number }>(
    'SELECT max(c) AS m FROM (SELECT count(*) AS c FROM todo_history GROUP BY todo_id, field)',
  )!.m;
  console.log(
    `10,000 edits over ${todos} todos: ${n} history rows, ~${Math.round(bytes / 1024)} KiB of values and keys, at most ${perTodoMax} per field of a todo`,
  );
  sql.close();
}
