/** SyncStorage over the schema-v1 SQLite database (lib/db/migrations.ts) through the Sql port. */
import type { Row, Sql, SqlValue } from '../db/sql';
import { rowToTodo } from '../db/todo-writes';
import { deviceOfHlc, type Hlc } from '../model/hlc';
import type { DeviceId, TodoId } from '../model/ids';
import { mergeRows, versionOf, type SyncRow } from '../model/merge';
import { SYNC_FIELDS } from '../model/todo';
import type { ApplyOutcome, SyncStorage, VersionVector } from './ports';
import { devicesOf, zeroStampOf } from './vector';

function toSyncRow(r: Row): SyncRow {
  const { updated_at: _updated, ...todo } = rowToTodo(r);
  const hlc = Object.fromEntries(SYNC_FIELDS.map((f) => [f, String(r[`${f}_hlc`]) as Hlc])) as SyncRow['hlc'];
  return { ...todo, hlc };
}

const sqlValue = (v: string | number | boolean | null): SqlValue => (typeof v === 'boolean' ? (v ? 1 : 0) : v);

const INSERT = `INSERT INTO todos (id, title, description, completed, priority, due_date, device_id, created_at, updated_at,
  deleted, synced, title_hlc, description_hlc, completed_hlc, priority_hlc, due_date_hlc, deleted_hlc, version)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)`;

export function createSqliteSyncStorage(sql: Sql, now: () => number = Date.now): SyncStorage {
  const getRow = (id: TodoId) => sql.get<Row>('SELECT * FROM todos WHERE id = ?', [id]);

  function applyOne(remote: SyncRow, t: number): boolean {
    const existing = getRow(remote.id);
    if (!existing) {
      sql.run(INSERT, [remote.id, remote.title, remote.description, sqlValue(remote.completed), remote.priority, remote.due_date,
        remote.device_id, remote.created_at, t, sqlValue(remote.deleted), ...SYNC_FIELDS.map((f) => remote.hlc[f]), versionOf(remote)]);
      return true;
    }
    const local = toSyncRow(existing);
    const { row, changed } = mergeRows(local, remote);
    if (changed.length === 0 && row.created_at === local.created_at && row.device_id === local.device_id) return false;
    const sets = changed.flatMap((f) => [`${f} = ?`, `${f}_hlc = ?`]);
    const params = changed.flatMap((f) => [sqlValue(row[f]), row.hlc[f]]);
    sql.run(`UPDATE todos SET ${[...sets, 'created_at = ?', 'device_id = ?', 'version = ?', 'updated_at = ?', 'synced = 1'].join(', ')} WHERE id = ?`,
      [...params, row.created_at, row.device_id, versionOf(row), t, remote.id]);
    return true;
  }

  const upsertMax = (d: DeviceId, s: Hlc) =>
    sql.run(`INSERT INTO version_vector (device_id, hlc) VALUES (?, ?) ON CONFLICT(device_id) DO UPDATE SET hlc = max(hlc, excluded.hlc)`, [d, s]);

  return {
    readVector() {
      const rows = sql.all<{ device_id: string; hlc: string }>('SELECT device_id, hlc FROM version_vector');
      return new Map(rows.map((r) => [r.device_id as DeviceId, r.hlc as Hlc]));
    },
    countLive() {
      return Number(sql.get<{ n: number }>('SELECT count(*) AS n FROM todos WHERE deleted = 0')?.n ?? 0);
    },
    countAbove(floor) {
      return Number(sql.get<{ n: number }>('SELECT count(*) AS n FROM todos WHERE version > ?', [floor])?.n ?? 0);
    },
    pageAbove(floor, after, limit) {
      const rows = after
        ? sql.all<Row>(`SELECT * FROM todos WHERE version > ? AND (version > ? OR (version = ? AND id > ?)) ORDER BY version, id LIMIT ?`,
            [floor, after.version, after.version, after.id, limit])
        : sql.all<Row>('SELECT * FROM todos WHERE version > ? ORDER BY version, id LIMIT ?', [floor, limit]);
      return rows.map(toSyncRow);
    },
    applyRows(rows, adopt): ApplyOutcome {
      return sql.transaction(() => {
        const t = Math.floor(now());
        let changed = 0;
        const devices = new Set<DeviceId>();
        for (const r of rows) {
          if (applyOne(r, t)) changed++;
          for (const d of devicesOf(r)) devices.add(d);
        }
        for (const d of devices) sql.run('INSERT OR IGNORE INTO version_vector (device_id, hlc) VALUES (?, ?)', [d, zeroStampOf(d)]);
        if (adopt) {
          for (const [d, s] of adopt.vector) if (!adopt.exclude.has(d) && deviceOfHlc(s) === d) upsertMax(d, s);
        }
        return { changed, unchanged: rows.length - changed };
      });
    },
    beginLog({ sessionId, peerId, peerName, startedAt }) {
      sql.run(`INSERT INTO sync_log (session_id, remote_device_id, remote_device_name, direction, status, started_at)
        VALUES (?, ?, ?, 'both', 'running', ?)`, [sessionId, peerId, peerName, startedAt]);
      return Number(sql.get<{ id: number }>('SELECT last_insert_rowid() AS id')?.id);
    },
    finishLog(id, { status, sent, received, reason, completedAt }) {
      sql.run(`UPDATE sync_log SET status = ?, todos_sent = ?, todos_received = ?, error_message = ?, completed_at = ? WHERE id = ?`,
        [status, sent, received, reason, completedAt, id]);
    },
    rememberPeer(peerId, name, lastSync, t) {
      sql.run(`INSERT INTO device_info (device_id, device_name, created_at, last_sync, is_self) VALUES (?, ?, ?, ?, 0)
        ON CONFLICT(device_id) DO UPDATE SET device_name = coalesce(excluded.device_name, device_name),
        last_sync = coalesce(excluded.last_sync, last_sync)`, [peerId, name, t, lastSync]);
    },
  };
}

export type { VersionVector };
