import { describe, expect, it } from 'vitest';
import { openMemoryDb } from '../../lib/db/node-memory';
import { applyMigrations } from '../../lib/db/migrate';
import { LATEST_VERSION, MIGRATIONS } from '../../lib/db/migrations';

describe('migrations', () => {
  it('creates the schema with its indexes and records the version', async () => {
    const sql = await openMemoryDb();
    const names = sql
      .all<{ name: string }>("SELECT name FROM sqlite_schema WHERE type IN ('table','index') ORDER BY name")
      .map((r) => r.name);
    for (const n of [
      'todos',
      'device_info',
      'sync_log',
      'version_vector',
      'idx_updated_at',
      'idx_device_id',
      'idx_deleted',
      'idx_sync_session',
      'idx_todos_version',
    ])
      expect(names).toContain(n);
    expect(sql.get<{ user_version: number }>('PRAGMA user_version')?.user_version).toBe(LATEST_VERSION);
  });

  it('is a no-op when run again', async () => {
    const sql = await openMemoryDb();
    expect(() => applyMigrations(sql)).not.toThrow();
  });

  it('rolls back a failing migration and keeps the previous version', async () => {
    const sql = await openMemoryDb();
    const broken = [
      ...MIGRATIONS,
      {
        version: LATEST_VERSION + 1,
        name: 'broken',
        sql: 'CREATE TABLE extra(x); SELECT * FROM missing_table;',
      },
    ];
    expect(() => applyMigrations(sql, broken)).toThrow();
    expect(sql.get<{ user_version: number }>('PRAGMA user_version')?.user_version).toBe(LATEST_VERSION);
    expect(sql.get("SELECT name FROM sqlite_schema WHERE name = 'extra'")).toBeUndefined();
  });

  it('refuses a database newer than the app', async () => {
    const sql = await openMemoryDb();
    sql.run(`PRAGMA user_version = ${LATEST_VERSION + 5}`);
    expect(() => applyMigrations(sql)).toThrow(/newer than this app/);
  });
});
