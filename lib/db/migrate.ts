import { MIGRATIONS, type Migration } from './migrations';
import type { Sql } from './sql';

/**
 * Brings the database to the latest schema. Each migration and its `user_version` bump commit
 * together, so a crash mid-way leaves the previous version intact and the next open retries.
 * Refuses a database newer than this code (a downgrade would lose data silently).
 */
export function applyMigrations(sql: Sql, migrations: readonly Migration[] = MIGRATIONS): number {
  const current = Number(sql.get<{ user_version: number }>('PRAGMA user_version')?.user_version ?? 0);
  const latest = migrations.length ? migrations[migrations.length - 1]!.version : 0;
  if (current > latest) {
    throw new Error(`Database schema v${current} is newer than this app (v${latest}); update the app.`);
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    sql.transaction(() => {
      if ('sql' in m) sql.run(m.sql);
      else m.up(sql);
      sql.run(`PRAGMA user_version = ${m.version}`);
    });
  }
  return latest;
}
