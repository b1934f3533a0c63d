/**
 * The list's page query at 100,000 todos in Node (run: npx jiti tests/bench/list-query.bench.ts):
 * each sort, with completed todos sinking, walks its index (migration 6) versus the same query after
 * those indexes are dropped (SQLite then scans and sorts the live rows), in one run, so the ratio
 * holds whatever the machine's load. Prints figures; asserts nothing about time.
 */
import os from 'node:os';
import { openMemoryDb } from '../../lib/db/node-memory';
import { createTodoQueries } from '../../lib/db/todo-queries';
import type { PageQuery, Sort } from '../../lib/messages/todo-schema';

const N = Number(process.env.BENCH_ROWS ?? 100_000);
const REPS = Number(process.env.BENCH_REPS ?? 15);
const SORTS: Sort[] = ['created', 'due', 'priority'];

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};

async function main() {
  const sql = await openMemoryDb();
  const stamp = '0000000000000-0000-00000000-0000-4000-8000-000000000000';
  // 100,000 rows in one statement: a fifth completed, a third high / medium / low, half dated.
  sql.run(
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
     INSERT INTO todos (id, title, completed, priority, due_date, device_id, created_at, updated_at,
       title_hlc, description_hlc, completed_hlc, priority_hlc, due_date_hlc, deleted_hlc, version)
     SELECT printf('dev-%08d', i), 'todo ' || i, (i % 5 = 0), CASE i % 3 WHEN 0 THEN 'high' WHEN 1 THEN 'medium' ELSE 'low' END,
       CASE WHEN i % 2 = 0 THEN date('2026-01-01', '+' || (i % 400) || ' days') END,
       'dev', 1764000000000 + i * 1000, 1764000000000 + i * 1000, ?, ?, ?, ?, ?, ?, ? FROM n`,
    [N, stamp, stamp, stamp, stamp, stamp, stamp, stamp],
  );
  const q = createTodoQueries(sql);
  const query = (sort: Sort, offset: number): PageQuery => ({
    filter: 'all',
    sort,
    search: '',
    cursor: null,
    limit: 100,
    offset,
  });
  const time = (sort: Sort, offset: number) => {
    const xs: number[] = [];
    for (let i = 0; i < REPS; i++) {
      const t0 = performance.now();
      q.page(query(sort, offset));
      xs.push(performance.now() - t0);
    }
    return xs;
  };
  const rows: string[] = [];
  const measure = (label: string) => {
    for (const sort of SORTS)
      for (const offset of [0, Math.floor(N / 2), N - 100]) {
        const xs = time(sort, offset);
        rows.push(
          `${label.padEnd(16)} ${sort.padEnd(8)} offset ${String(offset).padStart(6)}: p50 ${pct(xs, 50).toFixed(1)} ms, p95 ${pct(xs, 95).toFixed(1)} ms (n=${xs.length})`,
        );
      }
  };
  console.log(
    `${N} todos, page of 100; load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  measure('sink indexes');
  for (const s of SORTS) sql.run(`DROP INDEX idx_todos_sink_${s}`);
  measure('no sink index');
  for (const r of rows) console.log(r);
  console.log(
    `load average after: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
}

void main();
