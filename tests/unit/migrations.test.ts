import { describe, expect, it } from 'vitest';
import { openMemoryDb } from '../../lib/db/node-memory';
import { applyMigrations } from '../../lib/db/migrate';
import { LATEST_VERSION, MIGRATIONS } from '../../lib/db/migrations';
import type { Sql } from '../../lib/db/sql';
import { encodeHlc } from '../../lib/model/hlc';
import { newTodoId, type DeviceId } from '../../lib/model/ids';
import { inTimeZone } from './time-zone';

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
      'idx_sync_session',
      'idx_todos_version',
    ])
      expect(names).toContain(n);
    expect(sql.get<{ user_version: number }>('PRAGMA user_version')?.user_version).toBe(LATEST_VERSION);
  });

  it('keeps on todos only the indexes a query reads: every received row pays for each one', async () => {
    const sql = await openMemoryDb();
    const indexes = sql
      .all<{ name: string }>(
        "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'todos' AND sql IS NOT NULL ORDER BY name",
      )
      .map((r) => r.name);
    expect(indexes).toEqual([
      'idx_todos_completed',
      'idx_todos_created',
      'idx_todos_due',
      'idx_todos_sink_created',
      'idx_todos_sink_due',
      'idx_todos_sink_priority',
      'idx_todos_version',
    ]);
  });

  it('v9 drops the unused indexes of an older database, and its queries still walk an index', async () => {
    const sql = await openMemoryDb({ migrate: false });
    applyMigrations(sql, MIGRATIONS.slice(0, 8));
    const has = (n: string) =>
      sql.get<{ n: number }>('SELECT count(*) AS n FROM sqlite_schema WHERE name = ?', [n])!.n === 1;
    expect(['idx_updated_at', 'idx_device_id', 'idx_deleted'].every(has)).toBe(true);
    applyMigrations(sql);
    expect(['idx_updated_at', 'idx_device_id', 'idx_deleted'].some(has)).toBe(false);
    const plan = (q: string) =>
      sql
        .all<{ detail: string }>(`EXPLAIN QUERY PLAN ${q}`)
        .map((r) => r.detail)
        .join(' ');
    // What idx_deleted served: the live count and the trash read another (deleted, …) index.
    expect(plan('SELECT count(*) AS n FROM todos WHERE deleted = 0')).toMatch(
      /USING COVERING INDEX idx_todos_/,
    );
    expect(plan('SELECT id FROM todos WHERE deleted = 1 AND purged_at IS NULL')).toMatch(
      /USING INDEX idx_todos_/,
    );
  });

  it('v10 leaves no trigger on inserting a todo: nothing runs per row beyond the insert and its indexes', async () => {
    const sql = await openMemoryDb({ migrate: false });
    applyMigrations(sql, MIGRATIONS.slice(0, 9));
    const insertTriggers = () =>
      sql
        .all<{ name: string }>(
          `SELECT name FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'todos' AND sql LIKE '%AFTER INSERT%'`,
        )
        .map((r) => r.name);
    expect(insertTriggers()).toEqual(['todos_purged_arrives']);
    applyMigrations(sql);
    expect(insertTriggers()).toEqual([]);
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

  describe('v2: due dates as calendar dates', () => {
    const device = '11111111-1111-4111-8111-111111111111' as DeviceId;
    const stamp = (wall: number) => encodeHlc({ wall, counter: 0, deviceId: device });
    /** 00:00 on 5 December 2026 in Berlin (UTC+1), as the old editor stored it there. */
    const BERLIN_DEC_5 = Date.UTC(2026, 11, 4, 23);

    /** A schema-v1 database holding one todo per old due value, each field with its own stamp. */
    async function v1With(dues: (number | null)[]): Promise<Sql> {
      const sql = await openMemoryDb({ migrate: false });
      applyMigrations(sql, MIGRATIONS.slice(0, 1));
      dues.forEach((due, i) => {
        const t = 1_700_000_000_000 + i;
        sql.run(
          `INSERT INTO todos (id, title, description, completed, priority, due_date, device_id, created_at,
            updated_at, deleted, synced, title_hlc, description_hlc, completed_hlc, priority_hlc, due_date_hlc,
            deleted_hlc, version) VALUES (?, ?, NULL, 0, 'high', ?, ?, ?, ?, 0, 1, ?, ?, ?, ?, ?, ?, ?)`,
          [
            newTodoId(device, t),
            `todo ${i}`,
            due,
            device,
            t,
            t + 5,
            stamp(t + 1),
            stamp(t + 2),
            stamp(t + 3),
            stamp(t + 4),
            stamp(t + 5),
            stamp(t + 6),
            stamp(t + 6),
          ],
        );
      });
      return sql;
    }
    const rows = (sql: Sql) => sql.all('SELECT * FROM todos ORDER BY created_at');

    it('converts old ms values into the calendar day they fall on in this zone, keeping every stamp', async () => {
      const leapDayBerlin = Date.UTC(2028, 1, 28, 23);
      const afternoon = Date.UTC(2026, 5, 15, 11, 45); // 13:45 in Berlin: the day is kept, the time dropped
      const sql = await v1With([BERLIN_DEC_5, null, leapDayBerlin, afternoon]);
      const before = rows(sql);
      inTimeZone('Europe/Berlin', () => applyMigrations(sql));
      const after = rows(sql);
      expect(after.map((r) => r.due_date)).toEqual(['2026-12-05', null, '2028-02-29', '2026-06-15']);
      // Only the value changed: stamps, version, times and the rest are as they were.
      expect(after.map(({ due_date: _, ...rest }) => rest)).toEqual(
        before.map(({ due_date: _, ...rest }) => rest),
      );
      expect(sql.get<{ user_version: number }>('PRAGMA user_version')?.user_version).toBe(LATEST_VERSION);
    });

    it('reads an old value as the day it was in the zone of the device that migrates it', async () => {
      // The only information an old value has: in New York, Berlin's midnight of 5 December is still the 4th.
      const ny = await v1With([BERLIN_DEC_5]);
      inTimeZone('America/New_York', () => applyMigrations(ny));
      expect(rows(ny)[0]!.due_date).toBe('2026-12-04');
      const tokyo = await v1With([BERLIN_DEC_5]);
      inTimeZone('Asia/Tokyo', () => applyMigrations(tokyo));
      expect(rows(tokyo)[0]!.due_date).toBe('2026-12-05');
    });

    it('drops an old value that is no date in years 1 to 9999', async () => {
      const sql = await v1With([8_000_000_000_000_000]);
      inTimeZone('UTC', () => applyMigrations(sql));
      expect(rows(sql)[0]!.due_date).toBeNull();
    });

    it('keeps the indexes, and the column refuses anything but date text', async () => {
      const sql = await v1With([BERLIN_DEC_5]);
      inTimeZone('Europe/Berlin', () => applyMigrations(sql));
      const plan = sql
        .all<{ detail: string }>(
          'EXPLAIN QUERY PLAN SELECT id FROM todos WHERE deleted = 0 ORDER BY due_date',
        )
        .map((r) => r.detail)
        .join(' ');
      expect(plan).toMatch(/idx_todos_due/);
      for (const bad of [1_764_889_200_000, '5 Dec 2026', '2026-12-05T09:30:00', '2026-12-05T09:30Z'])
        expect(() => sql.run('UPDATE todos SET due_date = ?', [bad])).toThrow(/constraint/i);
      expect(() => sql.run('UPDATE todos SET due_date = ?', ['2026-12-05T09:30'])).not.toThrow();
    });
  });
});
