/** SyncStorage (lib/sync/ports.ts) over the SQLite database (lib/db/migrations.ts) through the Sql port. */
import { beginSyncLog, closeInterruptedSyncLogs, finishSyncLog } from './sync-log';
import type { Row, Sql, SqlValue } from './sql';
import { TODO_STORED_COLUMNS } from './todo-row';
import { SYNC_ROW_COLUMNS, toSyncRow } from './todo-writes';
import { deviceOfHlc, type Hlc } from '../model/hlc';
import type { DeviceId, TodoId } from '../model/ids';
import { mergeRows, versionOf, type SyncRow } from '../model/merge';
import { boundedOf, causalOf, mergeCompact } from '../model/causal-extras';
import type { Conflict } from '../model/conflicts';
import { causalColumn } from './causal-column';
import { PURGED_TITLE } from './tombstone-purge';
import { createConflictJournal } from './conflict-journal';
import { SYNC_FIELDS, type SyncField } from '../model/todo';
import type { ApplyOutcome, SyncStorage, VersionVector } from '../sync/ports';
import { zeroStampOf } from '../sync/vector';

const sqlValue = (v: string | number | boolean | null): SqlValue =>
  typeof v === 'boolean' ? (v ? 1 : 0) : v;

const INSERT_COLUMNS = `${TODO_STORED_COLUMNS}, causal, purged_at`;
const INSERT_ROW = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
/** Rows per multi-row INSERT / ids per IN list: each statement is compiled per call, so fewer, bigger ones. */
const INSERT_CHUNK = 50;
const insertStatements = new Map<number, string>();
/** The text of an INSERT of `n` rows (built once per size: the Sql port caches statements by text). */
function insertStatement(n: number): string {
  let text = insertStatements.get(n);
  if (!text) {
    text = `INSERT INTO todos (${INSERT_COLUMNS}) VALUES ${Array.from({ length: n }, () => INSERT_ROW).join(', ')}`;
    if (insertStatements.size < INSERT_CHUNK) insertStatements.set(n, text);
  }
  return text;
}
const SELECT_CHUNK = 500;
/** Whether any stored todo's id lies in [?, ?] (the primary key's index, one probe). */
const RANGE_PROBE = 'SELECT 1 AS found FROM todos WHERE id BETWEEN ? AND ? LIMIT 1';

/** Appends a row's INSERT_ROW parameters to `out` (one array per statement, not one per row). */
function pushInsertParams(out: SqlValue[], r: SyncRow, t: number): void {
  const h = r.hlc;
  out.push(
    r.id,
    r.title,
    r.description,
    r.completed ? 1 : 0,
    r.priority,
    r.due_date,
    r.device_id,
    r.created_at,
    t,
    r.deleted ? 1 : 0,
    h.title,
    h.description,
    h.completed,
    h.priority,
    h.due_date,
    h.deleted,
    versionOf(r),
    causalColumn(r),
    // A member's purged row arrives purged here too (migration 10 says why this is not a trigger).
    r.deleted && r.title === PURGED_TITLE && r.description === null ? t : null,
  );
}

export interface SqliteSyncOptions {
  /**
   * Benchmarks only (journal on vs off): false merges by plain last-writer-wins (mergeRows) and keeps
   * no journal, as before conflicts were tracked. Never false in the extension.
   */
  conflicts?: boolean;
}

export function createSqliteSyncStorage(
  sql: Sql,
  now: () => number = Date.now,
  options: SqliteSyncOptions = {},
): SyncStorage {
  const tracking = options.conflicts !== false;
  const journal = createConflictJournal(sql);
  const merge = (local: SyncRow, remote: SyncRow) =>
    tracking ? mergeCompact(local, remote) : { ...mergeRows(local, remote), conflicts: [], seenGrew: false };

  /**
   * The stored rows among `ids`. Sorted first, so each chunk of ids spans a narrow range (an id begins
   * with its creator and a time): a chunk whose range holds no stored row at all, as in a first sync,
   * costs one index probe instead of an IN list of 500. Ids are checked ASCII (TODO_ID_RE), so JS's
   * order of the sort is SQLite's BINARY order of the probe.
   */
  function existingRows(ids: TodoId[]): Map<TodoId, SyncRow> {
    const out = new Map<TodoId, SyncRow>();
    const sorted = ids.toSorted();
    for (let i = 0; i < sorted.length; i += SELECT_CHUNK) {
      const chunk = sorted.slice(i, i + SELECT_CHUNK);
      if (!sql.get(RANGE_PROBE, [chunk[0]!, chunk[chunk.length - 1]!])) continue;
      const rows = sql.all<Row>(
        `SELECT ${SYNC_ROW_COLUMNS} FROM todos WHERE id IN (${chunk.map(() => '?').join(',')})`,
        chunk,
      );
      for (const r of rows) out.set(String(r.id) as TodoId, toSyncRow(r));
    }
    return out;
  }

  /**
   * Merges the batch in memory first (a batch may name one id twice), then writes each row once, and
   * brings the conflict journal of every todo it changed up to date (adds what the merges report,
   * drops what they closed).
   */
  function applyBatch(batch: readonly SyncRow[], t: number): number {
    const existing = existingRows([...new Set(batch.map((r) => r.id))]);
    const inserts = new Map<TodoId, SyncRow>();
    const updates = new Map<TodoId, { row: SyncRow; fields: Set<SyncField>; causal: boolean }>();
    const found = new Map<TodoId, Conflict[]>();
    const report = (id: TodoId, cs: Conflict[]) => {
      if (cs.length) found.set(id, [...(found.get(id) ?? []), ...cs]);
    };
    let changed = 0;
    for (const remote of batch) {
      const pending = inserts.get(remote.id);
      if (pending) {
        const m = merge(pending, remote);
        if (m.changed.length) changed++;
        report(remote.id, m.conflicts);
        inserts.set(remote.id, m.row);
        continue;
      }
      const local = updates.get(remote.id)?.row ?? existing.get(remote.id);
      if (!local) {
        // A new todo's contexts are bounded as a merge's are (a hostile first copy names 62 stamps).
        inserts.set(remote.id, tracking ? boundedOf(remote) : remote);
        changed++;
        continue;
      }
      const m = merge(local, remote);
      report(remote.id, m.conflicts);
      const identity = m.row.created_at !== local.created_at || m.row.device_id !== local.device_id;
      if (m.changed.length === 0 && !identity && !m.seenGrew) continue;
      // A new conflict changes what the user sees (the marker) even when the local values all won.
      if (m.changed.length || identity || m.conflicts.length) changed++;
      const u = updates.get(remote.id) ?? { row: m.row, fields: new Set<SyncField>(), causal: false };
      u.row = m.row;
      u.causal ||= tracking;
      for (const f of m.changed) u.fields.add(f);
      updates.set(remote.id, u);
    }
    const rows = [...inserts.values()];
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const end = Math.min(i + INSERT_CHUNK, rows.length);
      const params: SqlValue[] = [];
      for (let j = i; j < end; j++) pushInsertParams(params, rows[j]!, t);
      sql.run(insertStatement(end - i), params);
    }
    for (const [id, { row, fields, causal }] of updates) {
      const sets = [...fields].flatMap((f) => [`${f} = ?`, `${f}_hlc = ?`]);
      const params: SqlValue[] = [...fields].flatMap((f) => [sqlValue(row[f]), row.hlc[f]]);
      if (causal) {
        sets.push('causal = ?');
        params.push(causalColumn(row));
      }
      const before = existing.get(id);
      // Only `seen` grew: nothing the user sees changed, so neither does updated_at.
      const news =
        fields.size > 0 || row.created_at !== before?.created_at || row.device_id !== before?.device_id;
      sql.run(
        `UPDATE todos SET ${[...sets, 'created_at = ?', 'device_id = ?', 'version = ?', ...(news ? ['updated_at = ?'] : []), 'synced = 1'].join(', ')} WHERE id = ?`,
        [...params, row.created_at, row.device_id, versionOf(row), ...(news ? [t] : []), id],
      );
    }
    if (tracking) {
      const journaled = found.size || updates.size ? journal.ids() : new Set<TodoId>();
      for (const id of new Set([...found.keys(), ...[...updates.keys()].filter((i) => journaled.has(i))])) {
        const row = updates.get(id)?.row ?? inserts.get(id) ?? existing.get(id);
        if (row) journal.update(id, causalOf(row), found.get(id) ?? [], t);
      }
      if (found.size) journal.prune(t);
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
            `SELECT ${SYNC_ROW_COLUMNS} FROM todos WHERE version >= ? AND (version > ? OR id > ?) ORDER BY version, id LIMIT ?`,
            [after.version > floor ? after.version : floor, after.version, after.id, limit],
          )
        : sql.all<Row>(
            `SELECT ${SYNC_ROW_COLUMNS} FROM todos WHERE version > ? ORDER BY version, id LIMIT ?`,
            [floor, limit],
          );
      return rows.map(toSyncRow);
    },
    applyRows(rows, adopt): ApplyOutcome {
      return sql.transaction(() => {
        const t = Math.floor(now());
        const changed = applyBatch(rows, t);
        const devices = new Set<DeviceId>();
        // Not devicesOf(): its Set per row was ~3 % of a 100,000-todo first sync's receiving side.
        // A row's fields often share one stamp: a repeat is skipped before it is sliced and hashed
        // (endsWith / startsWith on the device part measured slower than the slice).
        let lastStamp = '';
        for (const r of rows)
          for (const f of SYNC_FIELDS) {
            const stamp = r.hlc[f];
            if (stamp === lastStamp) continue;
            lastStamp = stamp;
            devices.add(deviceOfHlc(stamp));
          }
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
