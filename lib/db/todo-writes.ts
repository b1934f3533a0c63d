/**
 * Local writes to the todo table. Every write is one transaction that also advances the local
 * device's `version_vector` entry, so the schema invariants in lib/db/migrations.ts hold after each
 * commit: each `<field>_hlc` stamps the write that set the field, `version` is the greatest of the
 * six, and `version_vector[self]` is the greatest stamp issued here.
 */
import type { DeviceId, TodoId } from '../model/ids';
import { newTodoId } from '../model/ids';
import { HLC_ZERO, MAX_CLOCK_DRIFT_MS, maxHlc, wallOfHlc, type Hlc, type HybridClock } from '../model/hlc';
import { PURGE_AFTER_MS } from '../model/tombstones';
import { isDueDate, type DueDate } from '../model/due-date';
import {
  checkDescription,
  checkTitle,
  isPriority,
  SYNC_FIELDS,
  type FieldValues,
  type Priority,
  type SyncField,
  type Todo,
} from '../model/todo';
import type { SyncRow } from '../model/merge';
import { causalOf, compactOf } from '../model/causal-extras';
import { resolve, writeCausal, type CausalRow } from '../model/conflicts';
import type { Row, Sql, SqlValue } from './sql';
import { TODO_STORED_COLUMNS } from './todo-row';
import { causalColumn, withCausalColumn } from './causal-column';
import { createConflictJournal } from './conflict-journal';
import { isPurged } from './tombstone-purge';

export interface NewTodo {
  title: string;
  description?: string | null;
  priority?: Priority;
  /** `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` (lib/model/due-date.ts); checked here */
  due_date?: string | null;
}
export type TodoPatch = Partial<
  Pick<FieldValues, 'title' | 'description' | 'completed' | 'priority'> & { due_date: string | null }
>;
export type WriteResult = { ok: true; todo: Todo } | { ok: false; error: string };

export interface TodoWriterDeps {
  sql: Sql;
  clock: HybridClock;
  deviceId: DeviceId;
  now?: () => number;
}

export type TodoWriter = ReturnType<typeof createTodoWriter>;

/** SQL row → Todo. SQLite has no booleans (0/1) and returns 64-bit integers as numbers after sqlFromOo1. */
export function rowToTodo(row: Row): Todo {
  return {
    id: String(row.id) as TodoId,
    title: String(row.title),
    description: row.description === null || row.description === undefined ? null : String(row.description),
    completed: Number(row.completed) === 1,
    priority: isPriority(row.priority) ? row.priority : 'medium',
    // The column's CHECK keeps the shape; isDueDate also refuses a day that does not exist.
    due_date: isDueDate(row.due_date) ? row.due_date : null,
    device_id: String(row.device_id) as DeviceId,
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
    deleted: Number(row.deleted) === 1,
  };
}

/**
 * A `todos` row (SELECT * or SYNC_ROW_COLUMNS) as it syncs, with its causal contexts (plain when the
 * column is NULL). The same values as rowToTodo, built directly: a sender reads every row through
 * here (a first sync of 100,000 spent ~0.2 s in the copy, rest spread and Object.fromEntries).
 */
export function toSyncRow(r: Row): SyncRow {
  const row: SyncRow = {
    id: String(r.id) as TodoId,
    title: String(r.title),
    description: r.description === null || r.description === undefined ? null : String(r.description),
    completed: Number(r.completed) === 1,
    priority: isPriority(r.priority) ? r.priority : 'medium',
    due_date: r.due_date === null ? null : isDueDate(r.due_date) ? r.due_date : null,
    device_id: String(r.device_id) as DeviceId,
    created_at: Number(r.created_at),
    deleted: Number(r.deleted) === 1,
    hlc: {
      title: String(r.title_hlc) as Hlc,
      description: String(r.description_hlc) as Hlc,
      completed: String(r.completed_hlc) as Hlc,
      priority: String(r.priority_hlc) as Hlc,
      due_date: String(r.due_date_hlc) as Hlc,
      deleted: String(r.deleted_hlc) as Hlc,
    },
  };
  return withCausalColumn(row, r.causal);
}

/** The columns toSyncRow reads: what a sender pages through (not `updated_at`, `version`, `purged_at`). */
export const SYNC_ROW_COLUMNS =
  'id, title, description, completed, priority, due_date, device_id, created_at, deleted, title_hlc, description_hlc, completed_hlc, priority_hlc, due_date_hlc, deleted_hlc, causal';

type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

function checkDueDate(d: string | null | undefined): Checked<DueDate | null> {
  if (d === null || d === undefined) return { ok: true, value: null };
  if (!isDueDate(d)) return { ok: false, error: 'The due date is not a valid date.' };
  return { ok: true, value: d };
}

function checkOptionalDescription(d: string | null | undefined): Checked<string | null> {
  if (d === null || d === undefined) return { ok: true, value: null };
  const c = checkDescription(d);
  if (!c.ok) return c;
  return { ok: true, value: c.value === '' ? null : c.value };
}

function checkNew(input: NewTodo): Checked<Omit<FieldValues, 'completed' | 'deleted'>> {
  const title = checkTitle(input.title);
  if (!title.ok) return title;
  const description = checkOptionalDescription(input.description);
  if (!description.ok) return description;
  const priority = input.priority ?? 'medium';
  if (!isPriority(priority)) return { ok: false, error: 'Priority must be low, medium or high.' };
  const due = checkDueDate(input.due_date);
  if (!due.ok) return due;
  return {
    ok: true,
    value: { title: title.value, description: description.value, priority, due_date: due.value },
  };
}

/** A new todo is plain (`causal` NULL): one write, which has seen only itself. */
const INSERT_SQL = `INSERT INTO todos (${TODO_STORED_COLUMNS}, causal)
  VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?, ?, ?, ?, NULL)`;

const CANNOT_RESTORE =
  'That todo was deleted too long ago: its content is gone and it can no longer be restored.';

/**
 * The fields a restore of `row` (deleted) writes again besides `deleted`: its title and description when
 * some member may have purged them (the deletion is PURGE_AFTER_MS old by a clock up to
 * MAX_CLOCK_DRIFT_MS ahead of ours), else none. Writing them on every restore would override a title
 * edited elsewhere while the todo was deleted, and close its conflict without the user choosing.
 */
function restampOnRestore(row: Row, now: number): SyncField[] {
  const age = now - wallOfHlc(String(row.deleted_hlc) as Hlc);
  return age >= PURGE_AFTER_MS - MAX_CLOCK_DRIFT_MS ? ['title', 'description'] : [];
}

const BUMP_SELF_SQL = `INSERT INTO version_vector (device_id, hlc) VALUES (?, ?)
  ON CONFLICT(device_id) DO UPDATE SET hlc = max(hlc, excluded.hlc)`;

export function createTodoWriter(deps: TodoWriterDeps) {
  const { sql, clock, deviceId } = deps;
  const now = deps.now ?? Date.now;

  const getRow = (id: TodoId) => sql.get<Row>('SELECT * FROM todos WHERE id = ?', [id]);

  function insert(fields: Omit<FieldValues, 'completed' | 'deleted'>): Todo {
    const stamp = clock.now();
    const t = Math.floor(now());
    const id = newTodoId(deviceId, t);
    sql.run(INSERT_SQL, [
      id,
      fields.title,
      fields.description,
      fields.priority,
      fields.due_date,
      deviceId,
      t,
      t,
      stamp,
      stamp,
      stamp,
      stamp,
      stamp,
      stamp,
      stamp,
    ]);
    sql.run(BUMP_SELF_SQL, [deviceId, stamp]);
    return {
      id,
      ...fields,
      completed: false,
      deleted: false,
      device_id: deviceId,
      created_at: t,
      updated_at: t,
    };
  }

  const journal = createConflictJournal(sql);

  /**
   * Writes `next` (the row after a local write of `fields` under `stamp`, lib/model/conflicts.ts
   * writeCausal): values, stamps, causal contexts; then the journal drops what the write closed.
   */
  function commit(
    id: TodoId,
    row: Row,
    next: CausalRow,
    fields: readonly SyncField[],
    stamp: Hlc,
  ): WriteResult {
    const t = Math.floor(now());
    const sets: string[] = [];
    const params: SqlValue[] = [];
    for (const f of fields) {
      const v = next[f];
      sets.push(`${f} = ?`, `${f}_hlc = ?`);
      params.push(typeof v === 'boolean' ? (v ? 1 : 0) : (v as SqlValue), stamp);
    }
    const version = maxHlc(String(row.version) as Hlc, stamp);
    sql.run(`UPDATE todos SET ${sets.join(', ')}, causal = ?, version = ?, updated_at = ? WHERE id = ?`, [
      ...params,
      causalColumn(compactOf(next)),
      version,
      t,
      id,
    ]);
    sql.run(BUMP_SELF_SQL, [deviceId, stamp]);
    journal.update(id, next, [], t);
    const after = getRow(id);
    return after ? { ok: true, todo: rowToTodo(after) } : { ok: false, error: 'That todo no longer exists.' };
  }

  /**
   * Sets the given fields with one fresh stamp; fields whose value is unchanged are not re-stamped.
   * When something changed, the fields `restampOf` the row names are written too, with their current values.
   */
  function stampFields(
    id: TodoId,
    values: Partial<FieldValues>,
    restampOf: (row: Row) => readonly SyncField[] = () => [],
    refuse?: (row: Row) => string | null,
  ): WriteResult {
    return sql.transaction((): WriteResult => {
      const row = getRow(id);
      if (!row) return { ok: false, error: 'That todo no longer exists.' };
      const current = rowToTodo(row);
      const changed = (Object.keys(values) as SyncField[]).filter(
        (f) => SYNC_FIELDS.includes(f) && values[f] !== undefined && values[f] !== current[f],
      );
      if (changed.length === 0) return { ok: true, todo: current };
      const refused = refuse?.(row);
      if (refused) return { ok: false, error: refused };
      const fields = [...changed, ...restampOf(row).filter((f) => !changed.includes(f))];
      // A field may hold a remote stamp ahead of our clock (which follows remote stamps only a few
      // minutes ahead, hlc.ts CLOCK_ADOPT_MAX_MS): the edit must still win over it.
      let floor = HLC_ZERO;
      for (const f of fields) floor = maxHlc(floor, String(row[`${f}_hlc`]) as Hlc);
      const stamp = clock.nowAbove(floor);
      const written = Object.fromEntries(
        fields.map((f) => [f, changed.includes(f) ? values[f] : current[f]]),
      ) as Partial<FieldValues>;
      return commit(id, row, writeCausal(causalOf(toSyncRow(row)), written, stamp), fields, stamp);
    });
  }

  /**
   * "Keep this one" (`keep: 'loser'`, the value not shown) or "Dismiss" (`'winner'`) on a journaled
   * conflict: a new write of the field (of `deleted` for a deletion vs an edit) that has seen both
   * values, so it closes the conflict here and on every device it reaches.
   */
  function resolveConflict(
    id: TodoId,
    field: SyncField,
    loserHlc: Hlc,
    keep: 'loser' | 'winner',
  ): WriteResult {
    return sql.transaction((): WriteResult => {
      const row = getRow(id);
      if (!row) return { ok: false, error: 'That todo no longer exists.' };
      const c = journal.load(id).find((e) => e.field === field && e.loser.hlc === loserHlc);
      if (!c) return { ok: false, error: 'That conflict was already resolved.' };
      const written: SyncField = c.winner.field === c.field ? c.field : 'deleted';
      // A field of a deleted todo written alone would leave a purged row half purged on a member that
      // purged it (lib/db/tombstone-purge.ts), and a later restore there would write its blank back.
      if (written !== 'deleted' && Number(row.deleted) === 1)
        return { ok: false, error: 'Restore the todo first: it is deleted.' };
      // Keeping the edit over a deletion (or `deleted: false` over `true`) restores the todo: like `restore`,
      // it may write the title and description again, for a member that has purged them meanwhile.
      const restores =
        Number(row.deleted) === 1 &&
        keep === 'loser' &&
        (c.winner.field !== c.field || (c.field === 'deleted' && c.loser.value === false));
      if (restores && isPurged(row)) return { ok: false, error: CANNOT_RESTORE };
      const fields: SyncField[] = [written, ...(restores ? restampOnRestore(row, now()) : [])];
      let floor = HLC_ZERO;
      for (const f of fields) floor = maxHlc(floor, String(row[`${f}_hlc`]) as Hlc);
      const stamp = clock.nowAbove(floor);
      const next = resolve(causalOf(toSyncRow(row)), c, keep, stamp);
      const restamped =
        fields.length > 1
          ? writeCausal(next, { title: next.title, description: next.description }, stamp)
          : next;
      return commit(id, row, restamped, fields, stamp);
    });
  }

  return {
    create(input: NewTodo): WriteResult {
      const checked = checkNew(input);
      if (!checked.ok) return checked;
      return { ok: true, todo: sql.transaction(() => insert(checked.value)) };
    },

    update(id: TodoId, patch: TodoPatch): WriteResult {
      const values: Partial<FieldValues> = {};
      if (patch.title !== undefined) {
        const c = checkTitle(patch.title);
        if (!c.ok) return c;
        values.title = c.value;
      }
      if (patch.description !== undefined) {
        const c = checkOptionalDescription(patch.description);
        if (!c.ok) return c;
        values.description = c.value;
      }
      if (patch.completed !== undefined) {
        if (typeof patch.completed !== 'boolean')
          return { ok: false, error: 'Completed must be true or false.' };
        values.completed = patch.completed;
      }
      if (patch.priority !== undefined) {
        if (!isPriority(patch.priority)) return { ok: false, error: 'Priority must be low, medium or high.' };
        values.priority = patch.priority;
      }
      if (patch.due_date !== undefined) {
        const c = checkDueDate(patch.due_date);
        if (!c.ok) return c;
        values.due_date = c.value;
      }
      return stampFields(id, values);
    },

    remove(id: TodoId): WriteResult {
      return stampFields(id, { deleted: true });
    },

    /**
     * Undoes a deletion. Another member may have purged the todo's content meanwhile (lib/db/tombstone-purge.ts)
     * under the very stamps this row still holds, and equal stamps are the same write there: so when the
     * deletion is old enough for that, the restore also writes the title and description this device holds,
     * under its own new stamp, and they come back wherever it syncs (restampOnRestore). A todo purged here has
     * nothing left to restore.
     */
    restore(id: TodoId): WriteResult {
      return stampFields(
        id,
        { deleted: false },
        (row) => restampOnRestore(row, now()),
        (row) => (isPurged(row) ? CANNOT_RESTORE : null),
      );
    },

    resolveConflict,

    createMany(inputs: NewTodo[]): { ok: true; count: number } | { ok: false; error: string } {
      const checked: Omit<FieldValues, 'completed' | 'deleted'>[] = [];
      for (const [i, input] of inputs.entries()) {
        const c = checkNew(input);
        if (!c.ok) return { ok: false, error: `Todo ${i + 1}: ${c.error}` };
        checked.push(c.value);
      }
      sql.transaction(() => {
        for (const c of checked) insert(c);
      });
      return { ok: true, count: checked.length };
    },
  };
}
