/**
 * The small synchronous SQL surface the query layer, migrations and the sync storage adapter use.
 * One adapter wraps SQLite WASM's oo1.DB (OPFS in the browser worker, in-memory in Node tests).
 */
import type { Database } from '@sqlite.org/sqlite-wasm';

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

/** 64-bit integers come back as BigInt; runtime messaging cannot carry BigInt, so convert here. */
function normalise(row: Record<string, unknown>): Row {
  for (const k in row) {
    const v = row[k];
    if (typeof v === 'bigint') row[k] = Number(v);
  }
  return row as Row;
}

export function sqlFromOo1(db: Database): Sql {
  let inTx = false;
  return {
    run(sql, params = []) {
      db.exec({ sql, bind: params.length ? (params as SqlValue[]) : undefined });
    },
    all<T>(sql: string, params: readonly SqlValue[] = []) {
      const rows = db.exec({
        sql,
        bind: params.length ? (params as SqlValue[]) : undefined,
        rowMode: 'object',
        returnValue: 'resultRows',
      }) as Record<string, unknown>[];
      return rows.map(normalise) as T[];
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
      db.close();
    },
  };
}
