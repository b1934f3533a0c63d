/**
 * The small synchronous SQL surface the query layer, migrations and the sync storage adapter use.
 * One adapter wraps SQLite WASM's oo1.DB (OPFS in the browser worker, in-memory in Node tests);
 * parameters and columns go through the raw C exports (wasm-values.ts), which is much cheaper.
 */
import type { Database, PreparedStatement, Sqlite3Static } from '@sqlite.org/sqlite-wasm';
import { createWasmValues } from './wasm-values';

export type SqlValue = string | number | null | Uint8Array;
export type Row = Record<string, SqlValue>;

export interface Sql {
  run(sql: string, params?: readonly SqlValue[]): void;
  all<T = Row>(sql: string, params?: readonly SqlValue[]): T[];
  get<T = Row>(sql: string, params?: readonly SqlValue[]): T | undefined;
  /** Runs `fn` in one transaction; rolls back and rethrows if it throws. Not re-entrant. */
  transaction<T>(fn: () => T): T;
  /** Rows changed by the last statement. */
  changes(): number;
  close(): void;
}

/** Statements kept prepared; variable-length `IN (?, ?, …)` lists make many shapes, so the cache is bounded. */
const STATEMENT_CACHE = 64;
/** A `;` followed by more SQL: a script (migrations), which goes through exec rather than the cache. */
const isScript = (sql: string) => /;\s*\S/.test(sql);

export function sqlFromOo1(db: Database, sqlite3: Sqlite3Static): Sql {
  let inTx = false;
  const values = createWasmValues(sqlite3);
  // Preparing is the main cost of a small statement (sync applies 100k rows one upsert at a time).
  const cache = new Map<string, PreparedStatement>();

  function statement(sql: string): PreparedStatement {
    let stmt = cache.get(sql);
    if (stmt) {
      cache.delete(sql); // re-insert: Map order is the LRU order
    } else {
      stmt = db.prepare(sql);
      if (cache.size >= STATEMENT_CACHE) {
        const [oldest, old] = cache.entries().next().value!;
        cache.delete(oldest);
        old.finalize();
      }
    }
    cache.set(sql, stmt);
    return stmt;
  }

  function withStatement<T>(sql: string, params: readonly SqlValue[], fn: (s: PreparedStatement) => T): T {
    const stmt = statement(sql);
    let buffer = 0; // a bind that throws has released its own buffer
    try {
      buffer = values.bind(stmt.pointer!, params);
      return fn(stmt);
    } finally {
      // After a failed step, reset() would throw the same error again; the step already did.
      // Clearing the bindings first: they point into `buffer`.
      stmt.resetNoThrow(true);
      values.release(buffer);
    }
  }

  return {
    run(sql, params = []) {
      if (isScript(sql)) {
        db.exec({ sql, bind: params.length ? (params as SqlValue[]) : undefined });
        return;
      }
      withStatement(sql, params, (s) => {
        while (s.step()) {
          // drain: a statement with RETURNING or a PRAGMA may yield rows
        }
      });
    },
    all<T>(sql: string, params: readonly SqlValue[] = []) {
      return withStatement(sql, params, (s) => {
        const rows: Row[] = [];
        // Column names once per statement, values straight from the heap (oo1's get({}) looked
        // every name up again per row).
        const names = s.getColumnNames();
        const p = s.pointer!;
        while (s.step()) rows.push(values.row(p, names));
        return rows as T[];
      });
    },
    get<T>(sql: string, params: readonly SqlValue[] = []) {
      return this.all<T>(sql, params)[0];
    },
    transaction(fn) {
      if (inTx) throw new Error('nested transaction');
      inTx = true;
      db.exec('BEGIN IMMEDIATE');
      try {
        const out = fn();
        db.exec('COMMIT');
        return out;
      } catch (e) {
        try {
          db.exec('ROLLBACK');
        } catch {
          // The failed statement may already have rolled the transaction back (SQLITE_FULL does).
        }
        throw e;
      } finally {
        inTx = false;
      }
    },
    changes() {
      return Number(db.changes());
    },
    close() {
      for (const stmt of cache.values()) stmt.finalize();
      cache.clear();
      db.close();
    },
  };
}
