/** SyncStorage (lib/sync/ports.ts) over the SQLite database (lib/db/migrations.ts) through the Sql port. */
import { beginSyncLog, closeInterruptedSyncLogs, finishSyncLog } from './sync-log';
import type { Row, Sql, SqlValue } from './sql';
import { TODO_STORED_COLUMNS } from './todo-row';
import { rowToTodo } from './todo-writes';
import { deviceOfHlc, type Hlc } from '../model/hlc';
import type { DeviceId, TodoId } from '../model/ids';
import { mergeRows, versionOf, type SyncRow } from '../model/merge';
import { SYNC_FIELDS, type SyncField } from '../model/todo';
import type { ApplyOutcome, SyncStorage, VersionVector } from '../sync/ports';
import { devicesOf, zeroStampOf } from '../sync/vector';

function toSyncRow(r: Row): SyncRow {
  const { updated_at: _updated, ...todo } = rowToTodo(r);
  const hlc = Object.fromEntries(SYNC_FIELDS.map((f) => [f, String(r[`${f}_hlc`]) as Hlc])) as SyncRow['hlc'];
  return { ...todo, hlc };
}

const sqlValue = (v: string | number | boolean | null): SqlValue =>
  typeof v === 'boolean' ? (v ? 1 : 0) : v;

const INSERT_COLUMNS = TODO_STORED_COLUMNS;
const INSERT_ROW = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)';
/** Rows per multi-row INSERT / ids per IN list: each statement is compiled per call, so fewer, bigger ones. */
const INSERT_CHUNK = 50;
const SELECT_CHUNK = 500;

const insertParams = (r: SyncRow, t: number): SqlValue[] => [
  r.id,
  r.title,
  r.description,
  sqlValue(r.completed),
  r.priority,
  r.due_date,
  r.device_id,
  r.created_at,
  t,
  sqlValue(r.deleted),
  ...SYNC_FIELDS.map((f) => r.hlc[f]),
  versionOf(r),
];

export function createSqliteSyncStorage(sql: Sql, now: () => number = Date.now): SyncStorage {
  function existingRows(ids: TodoId[]): Map<TodoId, SyncRow> {
    const out = new Map<TodoId, SyncRow>();
    for (let i = 0; i < ids.length; i += SELECT_CHUNK) {
      const chunk = ids.slice(i, i + SELECT_CHUNK);
      const rows = sql.all<Row>(`SELECT * FROM todos WHERE id IN (${chunk.map(() => '?').join(',')})`, chunk);
      for (const r of rows) out.set(String(r.id) as TodoId, toSyncRow(r));
    }
    return out;
  }

  /** Merges the batch in memory first (a batch may name one id twice), then writes each row once. */
  function applyBatch(batch: readonly SyncRow[], t: number): number {
    const existing = existingRows([...new Set(batch.map((r) => r.id))]);
    const inserts = new Map<TodoId, SyncRow>();
    const updates = new Map<TodoId, { row: SyncRow; fields: Set<SyncField> }>();
    let changed = 0;
    for (const remote of batch) {
      const pending = inserts.get(remote.id);
      if (pending) {
        const m = mergeRows(pending, remote);
        if (m.changed.length) changed++;
        inserts.set(remote.id, m.row);
        continue;
      }
      const local = updates.get(remote.id)?.row ?? existing.get(remote.id);
      if (!local) {
        inserts.set(remote.id, remote);
        changed++;
        continue;
      }
      const m = mergeRows(local, remote);
      const identity = m.row.created_at !== local.created_at || m.row.device_id !== local.device_id;
      if (m.changed.length === 0 && !identity) continue;
      changed++;
      const u = updates.get(remote.id) ?? { row: m.row, fields: new Set<SyncField>() };
      u.row = m.row;
      for (const f of m.changed) u.fields.add(f);
      updates.set(remote.id, u);
    }
    const rows = [...inserts.values()];
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const chunk = rows.slice(i, i + INSERT_CHUNK);
      sql.run(
        `INSERT INTO todos (${INSERT_COLUMNS}) VALUES ${chunk.map(() => INSERT_ROW).join(', ')}`,
        chunk.flatMap((r) => insertParams(r, t)),
      );
    }
    for (const [id, { row, fields }] of updates) {
      const sets = [...fields].flatMap((f) => [`${f} = ?`, `${f}_hlc = ?`]);
      const params = [...fields].flatMap((f) => [sqlValue(row[f]), row.hlc[f]]);
      sql.run(
        `UPDATE todos SET ${[...sets, 'created_at = ?', 'device_id = ?', 'version = ?', 'updated_at = ?', 'synced = 1'].join(', ')} WHERE id = ?`,
        [...params, row.created_at, row.device_id, versionOf(row), t, id],
      );
    }
    return changed;
  }

  const upsertMax = (d: DeviceId, s: Hlc) =>
    sql.run(
      `INSERT INTO version_vector (device_id, hlc) VALUES (?, ?) ON CONFLICT(device_id) DO UPDATE SET hlc = max(hlc, excluded.hlc)`,
      [d, s],
    );

  return {
    readVector() {
      const rows = sql.all<{ device_id: string; hlc: string }>('SELECT device_id, hlc FROM version_vector');
      return new Map(rows.map((r) => [r.device_id as DeviceId, r.hlc as Hlc]));
    },
    countAbove(floor) {
      return Number(
        sql.get<{ n: number }>('SELECT count(*) AS n FROM todos WHERE version > ?', [floor])?.n ?? 0,
      );
    },
    pageAbove(floor, after, limit) {
      const rows = after
        ? sql.all<Row>(
            // The cursor's own version is the index range start (it is above the floor already), so
            // each page reads only its rows instead of rescanning from the floor.
            `SELECT * FROM todos WHERE version >= ? AND (version > ? OR id > ?) ORDER BY version, id LIMIT ?`,
            [after.version > floor ? after.version : floor, after.version, after.id, limit],
          )
        : sql.all<Row>('SELECT * FROM todos WHERE version > ? ORDER BY version, id LIMIT ?', [floor, limit]);
      return rows.map(toSyncRow);
    },
    applyRows(rows, adopt): ApplyOutcome {
      return sql.transaction(() => {
        const t = Math.floor(now());
        const changed = applyBatch(rows, t);
        const devices = new Set<DeviceId>();
        for (const r of rows) for (const d of devicesOf(r)) devices.add(d);
        for (const d of devices)
          sql.run('INSERT OR IGNORE INTO version_vector (device_id, hlc) VALUES (?, ?)', [d, zeroStampOf(d)]);
        if (adopt) {
          for (const [d, s] of adopt.vector)
            if (!adopt.exclude.has(d) && deviceOfHlc(s) === d) upsertMax(d, s);
        }
        return { changed, unchanged: rows.length - changed };
      });
    },
    beginLog: (entry) => beginSyncLog(sql, entry),
    finishLog: (id, result) => finishSyncLog(sql, id, result),
    closeInterrupted: (t: number) => closeInterruptedSyncLogs(sql, t),
    rememberPeer(peerId, name, lastSync, t) {
      sql.run(
        `INSERT INTO device_info (device_id, device_name, created_at, last_sync, is_self) VALUES (?, ?, ?, ?, 0)
        ON CONFLICT(device_id) DO UPDATE SET device_name = coalesce(excluded.device_name, device_name),
        last_sync = coalesce(excluded.last_sync, last_sync)`,
        [peerId, name, t, lastSync],
      );
    },
  };
}

export type { VersionVector };
