/**
 * SQL for backup, restore, export and import (lib/backup). Restore goes through the sync apply path
 * (createSqliteSyncStorage().applyRows: field-level last-writer-wins by mergeRows), so a backup
 * merges exactly as a peer's rows would; imports are new local writes of this device.
 */
import { MAX_CLOCK_DRIFT_MS, wallOfHlc, type HybridClock } from '../model/hlc';
import type { DeviceId, TodoId } from '../model/ids';
import type { SyncRow } from '../model/merge';
import { SYNC_FIELDS, type FieldValues } from '../model/todo';
import type { Filter } from '../messages/todo-schema';
import { loadCircle } from './circle-store';
import { getKv, setKv } from './kv';
import type { Row, Sql, SqlValue } from './sql';
import { createSqliteSyncStorage } from './sync-storage';
import { FILTER_SQL, searchClause } from './todo-queries';
import { TODO_STORED_COLUMNS } from './todo-row';
import { rowToTodo } from './todo-writes';
import type { Hlc } from '../model/hlc';
import { LEGACY_EXTRAS, withExtras } from '../model/causal-extras';
import type { Todo } from '../model/todo';

const SELECT_CHUNK = 500;

function syncRowOf(r: Row): SyncRow {
  const { updated_at: _u, ...todo } = rowToTodo(r);
  const hlc = {} as SyncRow['hlc'];
  for (const f of SYNC_FIELDS) hlc[f] = String(r[`${f}_hlc`]) as Hlc;
  return { ...todo, hlc };
}

export const countAllRows = (sql: Sql): number =>
  Number(sql.get<{ n: number }>('SELECT count(*) AS n FROM todos')?.n ?? 0);

/** Every row, tombstones included, in id order from after `afterId` (keyset pages). */
export function pageAllRows(sql: Sql, afterId: string, limit: number): SyncRow[] {
  return sql
    .all<Row>('SELECT * FROM todos WHERE id > ? ORDER BY id LIMIT ?', [afterId, limit])
    .map(syncRowOf);
}

export interface ExportQuery {
  filter: Filter;
  search: string;
}

function exportWhere(q: ExportQuery): { where: string; params: SqlValue[] } {
  // The same filter and search as the list's query (todo-queries.ts), so an export of the current
  // filter holds exactly the rows the list shows.
  const s = searchClause(q.search);
  return { where: `deleted = 0${FILTER_SQL[q.filter]}${s.sql}`, params: s.params };
}

export function countExport(sql: Sql, q: ExportQuery): number {
  const { where, params } = exportWhere(q);
  return Number(sql.get<{ n: number }>(`SELECT count(*) AS n FROM todos WHERE ${where}`, params)?.n ?? 0);
}

/** Live todos matching the list's filter and search, oldest first (keyset on created_at, id). */
export function pageExport(
  sql: Sql,
  q: ExportQuery,
  after: { created: number; id: string } | null,
  limit: number,
): Todo[] {
  const { where, params } = exportWhere(q);
  const rows = after
    ? sql.all<Row>(
        `SELECT * FROM todos WHERE ${where} AND (created_at > ? OR (created_at = ? AND id > ?)) ORDER BY created_at, id LIMIT ?`,
        [...params, after.created, after.created, after.id, limit],
      )
    : sql.all<Row>(`SELECT * FROM todos WHERE ${where} ORDER BY created_at, id LIMIT ?`, [...params, limit]);
  return rows.map(rowToTodo);
}

function existingIds(sql: Sql, ids: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < ids.length; i += SELECT_CHUNK) {
    const chunk = ids.slice(i, i + SELECT_CHUNK);
    for (const r of sql.all<{ id: string }>(
      `SELECT id FROM todos WHERE id IN (${chunk.map(() => '?').join(',')})`,
      chunk,
    ))
      out.add(r.id);
  }
  return out;
}

export interface RestoreCounts {
  /** todos this list did not have */
  added: number;
  /** todos that had at least one field older than the backup's */
  changed: number;
  /** rows whose every field was as new here already */
  unchanged: number;
  /** rows stamped more than a day ahead of this device's clock: held back, as sync holds them */
  skipped: number;
}

/**
 * Merges backup rows into the list in one transaction (the sync apply path). Rows stamped beyond
 * the clock-drift bound are skipped as a sync round would hold them back. The clock learns the
 * rows' stamps (bounded, as from a peer) so later local edits stamp above them.
 */
export function restoreRows(
  sql: Sql,
  clock: HybridClock,
  rows: readonly SyncRow[],
  now: number,
): RestoreCounts {
  const limit = now + MAX_CLOCK_DRIFT_MS;
  const ok = rows.filter((r) => SYNC_FIELDS.every((f) => wallOfHlc(r.hlc[f]) <= limit));
  const before = existingIds(sql, [...new Set(ok.map((r) => r.id))]);
  const added = new Set(ok.filter((r) => !before.has(r.id)).map((r) => r.id)).size;
  // Backups carry no causal contexts (issue 14): a restored value's is unknown, so it reports no
  // conflict as a winner (lib/model/causal-extras.ts LEGACY_EXTRAS).
  const { changed, unchanged } = createSqliteSyncStorage(sql, () => now).applyRows(
    ok.map((r) => withExtras(r, LEGACY_EXTRAS)),
  );
  for (const r of ok) for (const f of SYNC_FIELDS) clock.receive(r.hlc[f]);
  return { added, changed: changed - added, unchanged, skipped: rows.length - ok.length };
}

/** A todo to import: checked values plus its derived id (lib/backup/import-ids.ts). */
export interface ImportedTodo {
  id: TodoId;
  values: Omit<FieldValues, 'deleted'>;
  created_at: number;
}

const INSERT_IMPORTED = `INSERT INTO todos (${TODO_STORED_COLUMNS})
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?, ?, ?, ?)`;
const BUMP_SELF = `INSERT INTO version_vector (device_id, hlc) VALUES (?, ?)
  ON CONFLICT(device_id) DO UPDATE SET hlc = max(hlc, excluded.hlc)`;

/**
 * Inserts imported todos as new writes of this device, in one transaction; an id already present
 * (imported before, even if since deleted) is left alone, which makes a re-import add nothing.
 */
export function insertImported(
  sql: Sql,
  clock: HybridClock,
  deviceId: DeviceId,
  items: readonly ImportedTodo[],
  now: number,
): { added: number; skipped: number } {
  return sql.transaction(() => {
    const have = existingIds(
      sql,
      items.map((i) => i.id),
    );
    let added = 0;
    let last: Hlc | null = null;
    for (const it of items) {
      if (have.has(it.id)) continue;
      have.add(it.id);
      const s = clock.now();
      last = s;
      const v = it.values;
      sql.run(INSERT_IMPORTED, [
        it.id,
        v.title,
        v.description,
        v.completed ? 1 : 0,
        v.priority,
        v.due_date,
        deviceId,
        it.created_at,
        now,
        s,
        s,
        s,
        s,
        s,
        s,
        s,
      ]);
      added++;
    }
    if (last) sql.run(BUMP_SELF, [deviceId, last]);
    return { added, skipped: items.length - added };
  });
}

const LAST_BACKUP = 'backup.last_at';
const REMINDER_DISMISSED = 'backup.reminder_dismissed_at';
export const REMINDER_AFTER_MS = 30 * 24 * 60 * 60 * 1000;

export function recordBackup(sql: Sql, at: number): void {
  setKv(sql, LAST_BACKUP, String(at));
}

export function dismissBackupReminder(sql: Sql, at: number): void {
  setKv(sql, REMINDER_DISMISSED, String(at));
}

export interface BackupStatus {
  lastBackupAt: number | null;
  /** other members of this device's circle (0 without a circle) */
  otherDevices: number;
  remind: boolean;
}

/** Other members of this device's circle: 0 without one, or with one that cannot be read. */
function otherMembers(sql: Sql, self: DeviceId): number {
  try {
    return loadCircle(sql)?.circle.members.filter((m) => m.id !== self).length ?? 0;
  } catch {
    return 0; // a damaged circle syncs nothing; the circle's own UI reports it
  }
}

/**
 * The reminder shows when the list has todos, no other device is in this device's circle (so this
 * is the only copy kept up to date), the last backup (or, never backed up, nothing) is 30 days old,
 * and it was not dismissed in the last 30 days. Devices seen in pairings before circles existed
 * (device_info) do not count: nothing keeps them up to date.
 */
export function backupStatus(sql: Sql, now: number, self: DeviceId): BackupStatus {
  const num = (k: string) => {
    const v = getKv(sql, k);
    return v === null || !Number.isFinite(Number(v)) ? null : Number(v);
  };
  const lastBackupAt = num(LAST_BACKUP);
  const dismissed = num(REMINDER_DISMISSED);
  const otherDevices = otherMembers(sql, self);
  const live = Number(sql.get<{ n: number }>('SELECT count(*) AS n FROM todos WHERE deleted = 0')?.n ?? 0);
  const stale = lastBackupAt === null || now - lastBackupAt >= REMINDER_AFTER_MS;
  const quiet = dismissed !== null && now - dismissed < REMINDER_AFTER_MS;
  return { lastBackupAt, otherDevices, remind: live > 0 && otherDevices === 0 && stale && !quiet };
}
