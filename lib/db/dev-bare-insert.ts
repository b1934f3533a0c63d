/**
 * Test builds only (`dev.bareInsert`): the sync benchmark's yardstick in the browser's own runtime.
 * Copies every todo of this device into a fresh schema-v1 database on the same VFS with the same
 * PRAGMAs, through the same `Sql` port and multi-row statements as tests/bench/sync.bench.ts's bare
 * insert, in one transaction, and reports how long the insert took. The copy is deleted afterwards.
 */
import { applyMigrations } from './migrate';
import type { Row, Sql } from './sql';

const ROWS_PER_INSERT = 50;

export function bareInsert(
  from: Sql,
  openEmpty: () => { sql: Sql; drop(): void },
): { rows: number; ms: number } {
  const rows = from.all<Row>('SELECT * FROM todos');
  const copy = openEmpty();
  try {
    applyMigrations(copy.sql);
    if (rows.length === 0) return { rows: 0, ms: 0 };
    const cols = Object.keys(rows[0]!);
    const one = `(${cols.map(() => '?').join(',')})`;
    const t0 = performance.now();
    copy.sql.transaction(() => {
      for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
        const chunk = rows.slice(i, i + ROWS_PER_INSERT);
        copy.sql.run(
          `INSERT INTO todos (${cols.join(',')}) VALUES ${chunk.map(() => one).join(',')}`,
          chunk.flatMap((r) => cols.map((c) => r[c]!)),
        );
      }
    });
    return { rows: rows.length, ms: performance.now() - t0 };
  } finally {
    copy.drop();
  }
}
