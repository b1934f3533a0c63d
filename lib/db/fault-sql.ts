/**
 * Fault injection for tests (non-production builds only): makes the next write statement fail the
 * way SQLite reports a real storage failure, inside the real transaction, so rollback and the UI's
 * error path are exercised end to end.
 */
import type { Sql, SqlValue } from './sql';

export const FAULTS = {
  full: 'SQLITE_FULL: sqlite3 result code 13: database or disk is full',
  corrupt: 'SQLITE_CORRUPT: sqlite3 result code 11: database disk image is malformed',
  locked: 'SQLITE_BUSY: sqlite3 result code 5: database is locked',
} as const;
export type Fault = keyof typeof FAULTS;

export function createFaultySql(inner: Sql) {
  let armed: Fault | null = null;
  const sql: Sql = {
    run(text, params) {
      if (armed && /^\s*(INSERT|UPDATE|DELETE)/i.test(text)) {
        const f = armed;
        armed = null;
        throw new Error(FAULTS[f]);
      }
      inner.run(text, params);
    },
    all: <T>(text: string, params?: readonly SqlValue[]) => inner.all<T>(text, params),
    get: <T>(text: string, params?: readonly SqlValue[]) => inner.get<T>(text, params),
    transaction: <T>(fn: () => T) => inner.transaction(fn),
    changes: () => inner.changes(),
    close: () => inner.close(),
  };
  return {
    sql,
    arm(f: Fault) {
      armed = f;
    },
  };
}
