/** In-memory SQLite WASM for Node tests and benchmarks (the same engine as the browser's). */
import sqlite3InitModule from '@sqlite.org/sqlite-wasm';
import { applyMigrations } from './migrate';
import { sqlFromOo1, type Sql } from './sql';

let init: ReturnType<typeof sqlite3InitModule> | undefined;

export async function openMemoryDb(opts: { migrate?: boolean } = {}): Promise<Sql> {
  init ??= sqlite3InitModule();
  const sqlite3 = await init;
  const sql = sqlFromOo1(new sqlite3.oo1.DB(':memory:', 'c'), sqlite3);
  if (opts.migrate !== false) applyMigrations(sql);
  return sql;
}
