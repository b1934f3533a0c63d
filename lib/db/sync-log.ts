/**
 * The one place `sync_log` is written and read. A row's `error_message` holds a reason code
 * (engine-types ROUND_REASONS), never a sentence: the UI turns codes into words.
 */
import type { Sql } from './sql';

export interface SyncLogRow {
  id: number;
  peerId: string;
  peerName: string | null;
  status: 'running' | 'success' | 'partial' | 'failed';
  sent: number;
  received: number;
  startedAt: number;
  completedAt: number | null;
  reason: string | null;
}

/**
 * Rows kept: a circle syncs after every write, so the log would grow without end. The history view
 * shows at most SYNC_HISTORY_MAX of them.
 */
export const SYNC_LOG_KEEP = 1000;

export function beginSyncLog(
  sql: Sql,
  e: { sessionId: string; peerId: string; peerName: string | null; startedAt: number },
): number {
  sql.run(
    `INSERT INTO sync_log (session_id, remote_device_id, remote_device_name, direction, status, started_at)
    VALUES (?, ?, ?, 'both', 'running', ?)`,
    [e.sessionId, e.peerId, e.peerName, e.startedAt],
  );
  const id = Number(sql.get<{ id: number }>('SELECT last_insert_rowid() AS id')?.id);
  sql.run('DELETE FROM sync_log WHERE id <= ?', [id - SYNC_LOG_KEEP]);
  return id;
}

export function finishSyncLog(
  sql: Sql,
  id: number,
  r: { status: string; sent: number; received: number; reason: string | null; completedAt: number },
): void {
  sql.run(
    `UPDATE sync_log SET status = ?, todos_sent = ?, todos_received = ?, error_message = ?, completed_at = ? WHERE id = ?`,
    [r.status, r.sent, r.received, r.reason, r.completedAt, id],
  );
}

/** No engine runs at open, so a row still 'running' was cut off by a closed browser or a crash. */
export function closeInterruptedSyncLogs(sql: Sql, now: number): void {
  sql.run(
    `UPDATE sync_log SET status = 'partial', error_message = 'interrupted', completed_at = ? WHERE status = 'running'`,
    [now],
  );
}

export function readSyncLog(sql: Sql, limit: number): SyncLogRow[] {
  return sql
    .all<{
      id: number;
      remote_device_id: string;
      remote_device_name: string | null;
      status: SyncLogRow['status'];
      todos_sent: number;
      todos_received: number;
      started_at: number;
      completed_at: number | null;
      error_message: string | null;
    }>('SELECT * FROM sync_log ORDER BY id DESC LIMIT ?', [limit])
    .map((r) => ({
      id: Number(r.id),
      peerId: r.remote_device_id,
      peerName: r.remote_device_name,
      status: r.status,
      sent: Number(r.todos_sent),
      received: Number(r.todos_received),
      startedAt: Number(r.started_at),
      completedAt: r.completed_at === null ? null : Number(r.completed_at),
      reason: r.error_message,
    }));
}
