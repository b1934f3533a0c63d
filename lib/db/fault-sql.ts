/**
 * Fault injection for tests (non-production builds only): makes the next write statement fail the
 * way SQLite reports a real storage failure, inside the real transaction, so rollback and the UI's
 * error path are exercised end to end. `slow` instead makes every later write statement take
 * SLOW_WRITE_MS, like a cold or busy disk: saves then answer slower than a person types (issue 12
 * lost letters typed at 40 ms a key), which is what the rapid-entry tests need to be meaningful.
 */
import type { Sql, SqlValue } from './sql';

export const FAULTS = {
  full: 'SQLITE_FULL: sqlite3 result code 13: database or disk is full',
  corrupt: 'SQLITE_CORRUPT: sqlite3 result code 11: database disk image is malformed',
  locked: 'SQLITE_BUSY: sqlite3 result code 5: database is locked',
} as const;
export type Fault = keyof typeof FAULTS | 'slow';
export const SLOW_WRITE_MS = 100;

/** Blocks this (worker) thread: a slow disk blocks SQLite's synchronous VFS calls the same way. */
function stall(ms: number) {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

export function createFaultySql(inner: Sql) {
  let armed: keyof typeof FAULTS | null = null;
  let slow = false;
  const sql: Sql = {
    run(text, params) {
      const write = /^\s*(INSERT|UPDATE|DELETE)/i.test(text);
      if (write && slow) stall(SLOW_WRITE_MS);
      if (armed && write) {
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
      if (f === 'slow') slow = true;
      else armed = f;
    },
  };
}
