/**
 * Issue 14's Measure for the conflict journal: merge throughput of a 100,000-row sync with the journal on
 * and off (createSqliteSyncStorage's `conflicts: false`, plain last-writer-wins and no journal, as before
 * conflicts were tracked), and the journal's size after 10,000 random concurrent edits.
 * Node 22, in-memory SQLite WASM, the SQLite SyncStorage's applyRows in batches of 1,000 rows (one
 * transaction each, as a stream's batches are). `npm run bench:conflicts`; figures in BENCHMARKS.md.
 * After a warm-up run of each, four rounds alternate which mode goes first, so load on the shared machine
 * hits both alike; every run and the median are printed. Nothing here asserts a time.
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { JOURNAL_MAX, JOURNAL_PER_TODO } from '../../lib/db/conflict-journal';
import { openMemoryDb } from '../../lib/db/node-memory';
import type { Row, Sql } from '../../lib/db/sql';
import { createSqliteSyncStorage } from '../../lib/db/sync-storage';
import { toSyncRow } from '../../lib/db/todo-writes';
import { causalOf, compactOf, mergeCompact } from '../../lib/model/causal-extras';
import { writeCausal, type CausalRow } from '../../lib/model/conflicts';
import { encodeHlc, type Hlc } from '../../lib/model/hlc';
import { newDeviceId, newTodoId, type DeviceId, type TodoId } from '../../lib/model/ids';
import type { SyncRow } from '../../lib/model/merge';
import { SYNC_FIELDS, type FieldValues } from '../../lib/model/todo';
import { mulberry32 } from '../unit/seeded-random';

const N = 100_000;
const BATCH = 1_000;
const ROUNDS = 4;
const T0 = Date.UTC(2026, 11, 1);
const A = newDeviceId();
const B = newDeviceId();
const stamp = (wall: number, d: DeviceId): Hlc => encodeHlc({ wall, counter: 0, deviceId: d });
const ids: TodoId[] = Array.from({ length: N }, (_, i) => newTodoId(A, T0 + i));

/** Created on A: plain rows (one device's writes carry no contexts). */
const created: SyncRow[] = ids.map((id, i) => {
  const s = stamp(T0, A);
  return {
    id,
    title: `Todo ${i}`,
    description: i % 3 === 0 ? `Notes ${i}` : null,
    completed: false,
    priority: 'medium',
    due_date: null,
    deleted: false,
    device_id: A,
    created_at: T0 + i,
    hlc: Object.fromEntries(SYNC_FIELDS.map((f) => [f, s])) as SyncRow['hlc'],
  };
});
/** The title written again on `by` at `wall`, having seen `base` (and nothing else), as it goes on the wire. */
const titled = (base: SyncRow[], by: DeviceId, wall: number, label: string): SyncRow[] =>
  base.map((r, i) => compactOf(writeCausal(causalOf(r), { title: `Todo ${i} (${label})` }, stamp(wall, by))));
/** A's own later edit of every title: what the receiving device holds in the worst case. */
const editedOnA = titled(created, A, T0 + 30_000, 'A');
/** B's edit of every title after it saw A's creation: rows with contexts (`causal` not NULL). */
const editedOnB = titled(created, B, T0 + 60_000, 'B');

interface Case {
  name: string;
  /** Held by the receiving device before the timed merge (applied untimed). */
  held: SyncRow[] | null;
  incoming: SyncRow[];
  /** Each mode's runs, ms. */
  runs: Record<Mode, number[]>;
  journal: Record<Mode, number>;
}
type Mode = 'on' | 'off';

const cases: Case[] = [
  {
    name: `${N.toLocaleString('en')} rows edited on a second device (with contexts) into an empty device`,
    held: null,
    incoming: editedOnB,
  },
  {
    name: `the same ${N.toLocaleString('en')} rows into a device holding their originals (sequential edits, no conflict)`,
    held: created,
    incoming: editedOnB,
  },
  {
    name: `${N.toLocaleString('en')} concurrent title edits into a device holding its own edit of each (every row a conflict)`,
    held: editedOnA,
    incoming: editedOnB,
  },
].map((c) => ({ ...c, runs: { on: [], off: [] }, journal: { on: 0, off: 0 } }));

const count = (sql: Sql, table: string) =>
  Number(sql.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)?.n ?? 0);

async function run(c: Case, mode: Mode): Promise<{ ms: number; journal: number }> {
  const sql = await openMemoryDb();
  const st = createSqliteSyncStorage(sql, Date.now, { conflicts: mode === 'on' });
  const apply = (all: SyncRow[]) => {
    for (let i = 0; i < all.length; i += BATCH) st.applyRows(all.slice(i, i + BATCH));
  };
  if (c.held) apply(c.held);
  const t = performance.now();
  apply(c.incoming);
  const ms = performance.now() - t;
  // The merge did what the case says (so the timed work is the work named).
  const sample = toSyncRow(sql.get<Row>('SELECT * FROM todos WHERE id = ?', [ids[12_345]!])!);
  if (sample.title !== 'Todo 12345 (B)' || count(sql, 'todos') !== N)
    throw new Error(`${c.name}: wrong result`);
  const journal = count(sql, 'conflict_journal');
  sql.close();
  return { ms, journal };
}

const med = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const rate = (ms: number) => `${Math.round(N / (ms / 1000)).toLocaleString('en')} rows/s`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

console.log(`${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}, load ${load()}`);
for (const c of cases) {
  await run(c, 'on'); // warm-up (JIT, WASM), not counted
  await run(c, 'off');
  for (let round = 0; round < ROUNDS; round++)
    for (const mode of round % 2 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
      const r = await run(c, mode);
      c.runs[mode].push(r.ms);
      c.journal[mode] = r.journal;
    }
  const on = med(c.runs.on);
  const off = med(c.runs.off);
  const runs = (m: Mode) => c.runs[m].map((x) => Math.round(x)).join(' / ');
  console.log(`${c.name}:`);
  console.log(
    `  journal on:  ${runs('on')} ms; median ${Math.round(on)} ms (${rate(on)}); journal rows ${c.journal.on}`,
  );
  console.log(
    `  journal off: ${runs('off')} ms; median ${Math.round(off)} ms (${rate(off)}); journal rows ${c.journal.off}`,
  );
  console.log(`  on / off: ${(on / off).toFixed(2)}x (load ${load()})`);
}

/**
 * 10,000 random concurrent edits: three devices, each with its own copy of every todo, never syncing with
 * one another, each writing a random field (a tenth of the time the deleted flag) of a random todo; every
 * edit goes to the measured device as the wire row it would send. An edit is concurrent with every other
 * device's edits of the todo, so a merge reports a conflict whenever the value it replaces (or the
 * deletion it meets) came from another device.
 */
const FIELDS = ['title', 'description', 'priority', 'completed', 'due_date'] as const;
for (const todos of [10, 100, 1_000, 10_000]) {
  const sql = await openMemoryDb();
  const st = createSqliteSyncStorage(sql);
  st.applyRows(created.slice(0, todos));
  const devices = [B, newDeviceId(), newDeviceId()];
  const copies = devices.map(() => new Map<number, CausalRow>());
  const rand = mulberry32(14);
  // Distinct conflicts (todo, field, loser stamp): a merge reports an open one again when the row it
  // came in with returns (the sender's copy still holds the value that lost).
  const reported = new Set<string>();
  for (let e = 0; e < 10_000; e++) {
    const k = Math.floor(rand() * devices.length);
    const i = Math.floor(rand() * todos);
    const row = copies[k]!.get(i) ?? causalOf(created[i]!);
    let values: Partial<FieldValues>;
    if (rand() < 0.1) values = { deleted: !row.deleted };
    else {
      const f = FIELDS[Math.floor(rand() * FIELDS.length)]!;
      values =
        f === 'title'
          ? { title: `Edit ${e} of todo ${i}` }
          : f === 'description'
            ? { description: `Description written in edit ${e}.` }
            : f === 'priority'
              ? { priority: (['low', 'medium', 'high'] as const)[e % 3]! }
              : f === 'completed'
                ? { completed: !row.completed }
                : { due_date: `2026-12-${String(1 + (e % 28)).padStart(2, '0')}` as FieldValues['due_date'] };
    }
    const next = writeCausal(row, values, stamp(T0 + 1_000 + e, devices[k]!));
    copies[k]!.set(i, next);
    const wire = compactOf(next);
    const local = toSyncRow(sql.get<Row>('SELECT * FROM todos WHERE id = ?', [ids[i]!])!);
    for (const c of mergeCompact(local, wire).conflicts) reported.add(`${i}|${c.field}|${c.loser.hlc}`);
    st.applyRows([wire]);
  }
  const rows = count(sql, 'conflict_journal');
  const perTodo = Number(
    sql.get<{ m: number | null }>(
      'SELECT max(c) AS m FROM (SELECT count(*) AS c FROM conflict_journal GROUP BY todo_id)',
    )?.m ?? 0,
  );
  const bytes = Number(
    sql.get<{ b: number | null }>(
      `SELECT sum(length(todo_id) + length(field) + length(loser_hlc) + length(CAST(loser_value AS TEXT))
        + length(loser_ctx) + length(winner_field) + length(winner_hlc) + length(CAST(winner_value AS TEXT)) + 8)
        AS b FROM conflict_journal`,
    )?.b ?? 0,
  );
  // dbstat counts the table's and its indexes' pages as stored (page headers and free space included).
  let pages: string;
  try {
    const p = sql.get<{ n: number; b: number }>(
      `SELECT count(*) AS n, sum(pgsize) AS b FROM dbstat
       WHERE name IN ('conflict_journal', 'idx_conflict_recorded', 'sqlite_autoindex_conflict_journal_1')`,
    );
    pages = `${p?.n ?? 0} pages, ${Math.round(Number(p?.b ?? 0) / 1024)} KiB on pages (table and indexes)`;
  } catch (err) {
    pages = `dbstat unavailable (${String(err).slice(0, 60)})`;
  }
  const bounds = perTodo <= JOURNAL_PER_TODO && rows <= JOURNAL_MAX ? 'bounds hold' : 'BOUNDS EXCEEDED';
  console.log(
    `10,000 concurrent edits over ${todos.toLocaleString('en')} todos: ${reported.size} distinct conflicts reported; ` +
      `journal ${rows} rows, at most ${perTodo} per todo, ~${Math.round(bytes / 1024)} KiB of keys and values, ${pages}; ${bounds} ` +
      `(${JOURNAL_PER_TODO} per todo, ${JOURNAL_MAX} in all)`,
  );
  sql.close();
}
