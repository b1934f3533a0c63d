/**
 * The conflict journal (`conflict_journal`, migration 5): the open conflicts this device has seen
 * (lib/model/conflicts.ts defines them), local to the device, never synced or backed up. A merge adds
 * the conflicts it brings about; every merge or local write of a journaled todo runs the model's
 * `updateJournal`, so an entry goes by itself once a write that saw both sides arrives (a "Keep this
 * one" or "Dismiss" on any device, or an ordinary later edit), or once its loser's own device wrote
 * the field again.
 *
 * Bounded: at most JOURNAL_PER_TODO entries per todo (the newest losers), none recorded more than
 * JOURNAL_MAX_AGE_MS ago, and JOURNAL_MAX in all (the oldest recorded go first). A dropped entry only
 * stops being shown; the values stay as merge left them (and in History).
 */
import { decodeHlc, isHlc, type Hlc } from '../model/hlc';
import type { DeviceId, TodoId } from '../model/ids';
import { isDueDate } from '../model/due-date';
import {
  conflictKey,
  updateJournal,
  type CausalRow,
  type Conflict,
  type FieldValue,
} from '../model/conflicts';
import { isPriority, SYNC_FIELDS, type SyncField } from '../model/todo';
import type { Sql, SqlValue } from './sql';

export const JOURNAL_PER_TODO = 10;
export const JOURNAL_MAX_AGE_MS = 90 * 86_400_000;
export const JOURNAL_MAX = 1_000;

const isField = (f: unknown): f is SyncField => (SYNC_FIELDS as readonly unknown[]).includes(f);

const toSql = (v: FieldValue): SqlValue => (typeof v === 'boolean' ? (v ? 1 : 0) : v);

/** A stored value back in its field's type; undefined when it is not one (a hand-edited database). */
export function fieldValue(field: SyncField, v: SqlValue | undefined): FieldValue | undefined {
  switch (field) {
    case 'completed':
    case 'deleted':
      return Number(v) === 1;
    case 'description':
      return v === null || v === undefined ? null : String(v);
    case 'due_date':
      return v === null || v === undefined ? null : isDueDate(v) ? v : undefined;
    case 'priority':
      return isPriority(v) ? v : undefined;
    case 'title':
      return typeof v === 'string' ? v : undefined;
  }
}

interface JournalRow {
  todo_id: string;
  field: string;
  loser_hlc: string;
  loser_value: SqlValue;
  loser_ctx: string;
  winner_field: string;
  winner_hlc: string;
  winner_value: SqlValue;
  recorded_at: number;
}

export interface StoredConflict extends Conflict {
  todoId: TodoId;
  recordedAt: number;
}

function fromRow(r: JournalRow): StoredConflict | null {
  if (!isField(r.field) || !isField(r.winner_field)) return null;
  const loser = fieldValue(r.field, r.loser_value);
  const winner = fieldValue(r.winner_field, r.winner_value);
  const ctx = r.loser_ctx === '' ? [] : r.loser_ctx.split(' ');
  if (loser === undefined || winner === undefined || !isHlc(r.loser_hlc) || !isHlc(r.winner_hlc)) return null;
  if (!ctx.every(isHlc)) return null;
  return {
    todoId: r.todo_id as TodoId,
    field: r.field,
    loser: { value: loser, hlc: r.loser_hlc, ctx },
    winner: { value: winner, hlc: r.winner_hlc, field: r.winner_field },
    recordedAt: Number(r.recorded_at),
  };
}

export function createConflictJournal(sql: Sql) {
  function load(id: TodoId): StoredConflict[] {
    return sql
      .all<JournalRow>('SELECT * FROM conflict_journal WHERE todo_id = ?', [id])
      .map(fromRow)
      .filter((c): c is StoredConflict => c !== null);
  }

  return {
    load,
    /** Ids of every todo with an entry (the journal is small: JOURNAL_MAX at most). */
    ids(): Set<TodoId> {
      return new Set(
        sql
          .all<{ todo_id: string }>('SELECT DISTINCT todo_id FROM conflict_journal')
          .map((r) => r.todo_id as TodoId),
      );
    },
    count(): number {
      return Number(sql.get<{ n: number }>('SELECT count(*) AS n FROM conflict_journal')?.n ?? 0);
    },
    /**
     * After `row` (the todo as now stored) was merged or written: add `added`, drop what the model
     * says is no longer open, keep the newest JOURNAL_PER_TODO. Call inside the write's transaction.
     */
    update(id: TodoId, row: CausalRow, added: readonly Conflict[], t: number): void {
      const old = load(id);
      if (old.length === 0 && added.length === 0) return;
      const recorded = new Map(old.map((c) => [conflictKey(c), c.recordedAt]));
      const next = updateJournal(old, row, added)
        .sort((a, b) => (a.loser.hlc > b.loser.hlc ? -1 : a.loser.hlc < b.loser.hlc ? 1 : 0))
        .slice(0, JOURNAL_PER_TODO);
      // Unchanged when nothing was added (an added entry may replace one of the same key).
      const same =
        added.length === 0 && next.length === old.length && next.every((c) => recorded.has(conflictKey(c)));
      if (same) return;
      sql.run('DELETE FROM conflict_journal WHERE todo_id = ?', [id]);
      for (const c of next)
        sql.run(
          `INSERT INTO conflict_journal (todo_id, field, loser_hlc, loser_value, loser_ctx, winner_field,
            winner_hlc, winner_value, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            id,
            c.field,
            c.loser.hlc,
            toSql(c.loser.value),
            c.loser.ctx.join(' '),
            c.winner.field,
            c.winner.hlc,
            toSql(c.winner.value),
            recorded.get(conflictKey(c)) ?? t,
          ],
        );
    },
    /** The age and size bounds; returns how many entries went. */
    prune(t: number): number {
      const before = this.count();
      sql.run('DELETE FROM conflict_journal WHERE recorded_at < ?', [t - JOURNAL_MAX_AGE_MS]);
      sql.run(
        `DELETE FROM conflict_journal WHERE rowid IN (SELECT rowid FROM conflict_journal
          ORDER BY recorded_at DESC, loser_hlc DESC LIMIT -1 OFFSET ?)`,
        [JOURNAL_MAX],
      );
      return before - this.count();
    },
    /** Every entry, newest recorded first. */
    all(): StoredConflict[] {
      return sql
        .all<JournalRow>('SELECT * FROM conflict_journal ORDER BY recorded_at DESC, loser_hlc DESC')
        .map(fromRow)
        .filter((c): c is StoredConflict => c !== null);
    },
  };
}

export type ConflictJournal = ReturnType<typeof createConflictJournal>;

/** The device and wall time a stamp names. */
export const stampParts = (s: Hlc): { at: number; deviceId: DeviceId } => {
  const { wall, deviceId } = decodeHlc(s);
  return { at: wall, deviceId };
};

export interface ConflictSideView {
  value: FieldValue;
  at: number;
  deviceId: DeviceId;
  deviceName: string | null;
  self: boolean;
}

export interface ConflictView {
  todoId: TodoId;
  title: string;
  field: SyncField;
  kind: 'field' | 'deletion';
  shown: ConflictSideView;
  other: ConflictSideView;
  loserHlc: Hlc;
}

/**
 * The journal as the Conflicts view lists it: each entry with its todo's title and both values; a deleted
 * todo's field conflicts are left out while it is deleted.
 */
export function conflictViews(sql: Sql): ConflictView[] {
  const entries = createConflictJournal(sql).all();
  if (entries.length === 0) return [];
  const names = new Map(
    sql
      .all<{ device_id: string; device_name: string | null; is_self: number }>(
        'SELECT device_id, device_name, is_self FROM device_info',
      )
      .map((d) => [d.device_id, d]),
  );
  const side = (value: FieldValue, s: Hlc): ConflictSideView => {
    const { at, deviceId } = stampParts(s);
    const d = names.get(deviceId);
    return { value, at, deviceId, deviceName: d?.device_name ?? null, self: d?.is_self === 1 };
  };
  const out: ConflictView[] = [];
  for (const c of entries) {
    const row = sql.get<Record<string, SqlValue>>('SELECT * FROM todos WHERE id = ?', [c.todoId]);
    if (!row) continue;
    const deletion = c.winner.field !== c.field;
    // A field conflict of a deleted todo cannot be resolved until it is restored (lib/db/todo-writes.ts
    // resolveConflict); it stays in the journal and shows again then.
    if (!deletion && c.field !== 'deleted' && Number(row.deleted) === 1) continue;
    const shownField = deletion ? 'deleted' : c.field;
    const shownValue = fieldValue(shownField, row[shownField]);
    if (shownValue === undefined) continue;
    out.push({
      todoId: c.todoId,
      title: String(row.title),
      field: c.field,
      kind: deletion ? 'deletion' : 'field',
      shown: side(shownValue, String(row[`${shownField}_hlc`]) as Hlc),
      other: side(c.loser.value, c.loser.hlc),
      loserHlc: c.loser.hlc,
    });
  }
  return out;
}
