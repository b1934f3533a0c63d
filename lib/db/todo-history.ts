/**
 * A todo's history here (`todo_history`, kept by the triggers of migration 4): every value each field
 * has had on this device, with the stamp of the write that set it, so the device and time it names.
 */
import type { DeviceId, TodoId } from '../model/ids';
import { decodeHlc, type Hlc } from '../model/hlc';
import { isDueDate } from '../model/due-date';
import { isPriority, SYNC_FIELDS, type SyncField } from '../model/todo';
import type { Row, Sql, SqlValue } from './sql';
import { PURGED_TITLE } from './tombstone-purge';

export type HistoryValue = string | boolean | null;

export interface HistoryEntry {
  field: SyncField;
  value: HistoryValue;
  /** The stamp's wall time: when the writing device set it (its clock). */
  at: number;
  deviceId: DeviceId;
  /** The device's name as last heard in a sync, or null (this device: `self`). */
  deviceName: string | null;
  self: boolean;
  /** The value the todo has now. */
  current: boolean;
}

function decode(field: SyncField, v: SqlValue): HistoryValue | undefined {
  switch (field) {
    case 'completed':
    case 'deleted':
      return Number(v) === 1;
    case 'description':
      return v === null ? null : String(v);
    case 'due_date':
      return v === null ? null : isDueDate(v) ? v : undefined;
    case 'priority':
      return isPriority(v) ? v : undefined;
    case 'title':
      return String(v);
  }
}

/** Newest first per field, fields in SYNC_FIELDS order; [] for an unknown id. */
export function todoHistory(sql: Sql, id: TodoId): HistoryEntry[] {
  const row = sql.get<Row>('SELECT * FROM todos WHERE id = ?', [id]);
  if (!row) return [];
  const names = new Map(
    sql
      .all<{ device_id: string; device_name: string | null; is_self: number }>(
        'SELECT device_id, device_name, is_self FROM device_info',
      )
      .map((d) => [d.device_id, d]),
  );
  const recorded = sql.all<{ field: string; hlc: string; value: SqlValue }>(
    'SELECT field, hlc, value FROM todo_history WHERE todo_id = ?',
    [id],
  );
  const out: HistoryEntry[] = [];
  for (const field of SYNC_FIELDS) {
    const currentHlc = String(row[`${field}_hlc`]);
    const byStamp = new Map<string, SqlValue>();
    for (const r of recorded) if (r.field === field) byStamp.set(r.hlc, r.value);
    byStamp.set(currentHlc, row[field] ?? null);
    const entries: HistoryEntry[] = [];
    for (const hlc of [...byStamp.keys()].sort()) {
      const raw = byStamp.get(hlc)!;
      // The title of a purged todo (lib/db/tombstone-purge.ts), recorded when a restore brought it back.
      if (field === 'title' && raw === PURGED_TITLE) continue;
      const value = decode(field, raw);
      if (value === undefined) continue;
      const prev = entries.at(-1);
      // The same value under a later stamp (a restore writes the title and description it holds again,
      // lib/db/todo-writes.ts) is not a new value: it keeps the stamp that first set it.
      if (prev && prev.value === value) {
        prev.current ||= hlc === currentHlc;
        continue;
      }
      const { wall, deviceId } = decodeHlc(hlc as Hlc);
      const d = names.get(deviceId);
      entries.push({
        field,
        value,
        at: wall,
        deviceId,
        deviceName: d?.device_name ?? null,
        self: d?.is_self === 1,
        current: hlc === currentHlc,
      });
    }
    out.push(...entries.reverse());
  }
  return out;
}
