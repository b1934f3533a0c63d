/**
 * Versioned schema. Each migration runs once, in a transaction with the `user_version` bump, on open
 * (see applyMigrations in lib/db/migrate.ts). Never edit a shipped migration: add the next one.
 *
 * Beyond the original design: one HLC stamp column per syncable field (`<field>_hlc`) for field-level
 * last-writer-wins, `version` = the greatest of those stamps (indexed, for sync scans), and
 * `version_vector`: per origin device, the greatest stamp this device is known to dominate.
 */
import { dueDateFromLegacyMs } from '../model/due-date';
import type { Sql } from './sql';

/** A migration is an SQL script, or a function for steps SQL cannot do alone (it gets the same transaction). */
export type Migration = { version: number; name: string } & ({ sql: string } | { up: (sql: Sql) => void });

/**
 * v2: `due_date` becomes text, `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` in floating local time
 * (lib/model/due-date.ts), instead of ms at the setting device's local midnight, which devices in
 * other zones read as another day. A STRICT INTEGER column cannot hold text, so the table is
 * rebuilt (SQLite's documented rebuild: new table, copy, drop, rename, indexes; todos has no
 * triggers, views or foreign keys).
 *
 * Old values become the calendar day the instant falls on in this device's zone when it migrates
 * (dueDateFromLegacyMs): the only information there is, and right for every date set in this zone.
 * Stamps, `version` and `updated_at` are kept, so the conversion is not a new edit and syncs
 * nothing. A device in another zone may so convert the same old write to the neighbouring day under
 * the same stamp; merge keeps each side's value until the next edit of that date (docs/protocol.md).
 */
function dueDatesAsCalendarDates(sql: Sql): void {
  sql.run(`
CREATE TABLE todos_v2 (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT,
  completed INTEGER NOT NULL DEFAULT 0 CHECK (completed IN (0, 1)),
  priority TEXT NOT NULL DEFAULT 'medium' CHECK (priority IN ('low', 'medium', 'high')),
  due_date TEXT CHECK (due_date IS NULL
    OR due_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'
    OR due_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]'),
  device_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  synced INTEGER NOT NULL DEFAULT 0,
  title_hlc TEXT NOT NULL,
  description_hlc TEXT NOT NULL,
  completed_hlc TEXT NOT NULL,
  priority_hlc TEXT NOT NULL,
  due_date_hlc TEXT NOT NULL,
  deleted_hlc TEXT NOT NULL,
  version TEXT NOT NULL
) STRICT`);
  // Every column but due_date as it is; due dates are filled in below.
  sql.run(`INSERT INTO todos_v2 (id, title, description, completed, priority, due_date, device_id, created_at,
    updated_at, deleted, synced, title_hlc, description_hlc, completed_hlc, priority_hlc, due_date_hlc, deleted_hlc, version)
  SELECT id, title, description, completed, priority, NULL, device_id, created_at,
    updated_at, deleted, synced, title_hlc, description_hlc, completed_hlc, priority_hlc, due_date_hlc, deleted_hlc, version
  FROM todos`);
  const dated = sql.all<{ id: string; due_date: number }>(
    'SELECT id, due_date FROM todos WHERE due_date IS NOT NULL',
  );
  for (const r of dated)
    sql.run('UPDATE todos_v2 SET due_date = ? WHERE id = ?', [dueDateFromLegacyMs(Number(r.due_date)), r.id]);
  sql.run('DROP TABLE todos');
  sql.run('ALTER TABLE todos_v2 RENAME TO todos');
  sql.run(`
CREATE INDEX idx_updated_at ON todos(updated_at);
CREATE INDEX idx_device_id ON todos(device_id);
CREATE INDEX idx_deleted ON todos(deleted);
CREATE INDEX idx_todos_version ON todos(version);
CREATE INDEX idx_todos_created ON todos(deleted, created_at);
CREATE INDEX idx_todos_due ON todos(deleted, due_date);`);
}

/** At most this many values per field of a todo are kept in `todo_history` (the newest, by stamp). */
export const HISTORY_PER_FIELD = 20;
/** A value recorded more than this long before the field's latest change here is dropped then. */
export const HISTORY_MAX_AGE_MS = 90 * 86_400_000;

const HISTORY_FIELDS = ['title', 'description', 'completed', 'priority', 'due_date', 'deleted'] as const;

/**
 * v4: `todo_history`, local to this device (never synced or backed up): every value a field of a todo
 * has had here, keyed by the stamp of the write that set it (which names the device and the time).
 * Kept by triggers, so local writes, merged rows, restores and imports are all recorded without a
 * code path of their own. A change records the value it replaces and the new one; an insert records
 * nothing (a todo never changed here has only its current values, which the query adds). A change
 * of stamp alone (a relabelled device id, the same value written elsewhere) is not a new value.
 *
 * Bounded: after each change of a field, that field keeps its newest HISTORY_PER_FIELD values and
 * drops those recorded more than HISTORY_MAX_AGE_MS before the change (the new value is never
 * dropped). So a todo holds at most 6 × HISTORY_PER_FIELD rows, whatever the list's size.
 */
const HISTORY_SQL = `
CREATE TABLE todo_history (
  todo_id TEXT NOT NULL,
  field TEXT NOT NULL,
  hlc TEXT NOT NULL,
  value ANY,
  seen_at INTEGER NOT NULL,
  PRIMARY KEY (todo_id, field, hlc)
) STRICT, WITHOUT ROWID;
${HISTORY_FIELDS.map(
  (f) => `
CREATE TRIGGER todo_history_${f} AFTER UPDATE OF ${f}_hlc ON todos
WHEN NEW.${f}_hlc <> OLD.${f}_hlc AND NEW.${f} IS NOT OLD.${f}
BEGIN
  INSERT OR IGNORE INTO todo_history (todo_id, field, hlc, value, seen_at)
    VALUES (NEW.id, '${f}', OLD.${f}_hlc, OLD.${f}, OLD.updated_at);
  INSERT OR IGNORE INTO todo_history (todo_id, field, hlc, value, seen_at)
    VALUES (NEW.id, '${f}', NEW.${f}_hlc, NEW.${f}, NEW.updated_at);
  DELETE FROM todo_history WHERE todo_id = NEW.id AND field = '${f}' AND hlc <> NEW.${f}_hlc AND (
    seen_at < NEW.updated_at - ${HISTORY_MAX_AGE_MS}
    OR hlc < (SELECT h.hlc FROM todo_history h WHERE h.todo_id = NEW.id AND h.field = '${f}'
              ORDER BY h.hlc DESC LIMIT 1 OFFSET ${HISTORY_PER_FIELD - 1}));
END;`,
).join('\n')}
CREATE TRIGGER todo_history_gone AFTER DELETE ON todos
BEGIN
  DELETE FROM todo_history WHERE todo_id = OLD.id;
END;`;

/**
 * v5: conflicts (issue 14, lib/model/conflicts.ts). `todos.causal` holds a row's causal contexts
 * beyond its stamps (lib/db/causal-column.ts): NULL for a plain row; every row older than the column
 * reads the default, all contexts empty, which reports nothing (an upgrade claims no conflicts it
 * cannot prove). `conflict_journal`, local to this device (never synced or backed up): the open
 * conflicts seen here (lib/db/conflict-journal.ts states and keeps its bounds).
 */
const CONFLICTS_SQL = `
ALTER TABLE todos ADD COLUMN causal TEXT DEFAULT '-,-,-,-,-,-';
CREATE TABLE conflict_journal (
  todo_id TEXT NOT NULL,
  field TEXT NOT NULL,
  loser_hlc TEXT NOT NULL,
  loser_value ANY,
  loser_ctx TEXT NOT NULL,
  winner_field TEXT NOT NULL,
  winner_hlc TEXT NOT NULL,
  winner_value ANY,
  recorded_at INTEGER NOT NULL,
  PRIMARY KEY (todo_id, field, loser_hlc)
) STRICT;
CREATE INDEX idx_conflict_recorded ON conflict_journal(recorded_at);
CREATE TRIGGER conflict_journal_gone AFTER DELETE ON todos
BEGIN
  DELETE FROM conflict_journal WHERE todo_id = OLD.id;
END;`;

/**
 * v8: `todos.purged_at`, local to this device (never synced or backed up): when tombstone collection
 * purged the row here (lib/db/tombstone-purge.ts), NULL while it has not. Purged is a fact, not read off
 * the content: a title merged later onto a purged row (an edit made elsewhere before the deletion was
 * heard of) leaves it purged, out of "Recently deleted" and not restorable from here, instead of bringing
 * it back with its description gone. Rows purged before this column (a blank title, PURGED_TITLE, and no
 * description on a deletion: no user title is blank) are marked with their last local change's time, as
 * is such a row when it arrives (a member's purged row, a backup). A row that comes back live (a restore
 * merged from a member, which writes its title and description again) is no longer purged.
 */
const PURGED_SQL = `
ALTER TABLE todos ADD COLUMN purged_at INTEGER;
UPDATE todos SET purged_at = updated_at WHERE deleted = 1 AND title = ' ' AND description IS NULL;
CREATE TRIGGER todos_purged_arrives AFTER INSERT ON todos
WHEN NEW.deleted = 1 AND NEW.title = ' ' AND NEW.description IS NULL AND NEW.purged_at IS NULL
BEGIN
  UPDATE todos SET purged_at = NEW.updated_at WHERE id = NEW.id;
END;
CREATE TRIGGER todos_unpurged AFTER UPDATE OF deleted ON todos
WHEN NEW.deleted = 0 AND NEW.purged_at IS NOT NULL
BEGIN
  UPDATE todos SET purged_at = NULL WHERE id = NEW.id;
END;`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE todos (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT,
  completed INTEGER NOT NULL DEFAULT 0 CHECK (completed IN (0, 1)),
  priority TEXT NOT NULL DEFAULT 'medium' CHECK (priority IN ('low', 'medium', 'high')),
  due_date INTEGER,
  device_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
  synced INTEGER NOT NULL DEFAULT 0,
  title_hlc TEXT NOT NULL,
  description_hlc TEXT NOT NULL,
  completed_hlc TEXT NOT NULL,
  priority_hlc TEXT NOT NULL,
  due_date_hlc TEXT NOT NULL,
  deleted_hlc TEXT NOT NULL,
  version TEXT NOT NULL
) STRICT;
CREATE INDEX idx_updated_at ON todos(updated_at);
CREATE INDEX idx_device_id ON todos(device_id);
CREATE INDEX idx_deleted ON todos(deleted);
CREATE INDEX idx_todos_version ON todos(version);
CREATE INDEX idx_todos_created ON todos(deleted, created_at);
CREATE INDEX idx_todos_due ON todos(deleted, due_date);

CREATE TABLE device_info (
  device_id TEXT PRIMARY KEY,
  device_name TEXT,
  created_at INTEGER NOT NULL,
  last_sync INTEGER,
  is_self INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE UNIQUE INDEX idx_device_self ON device_info(is_self) WHERE is_self = 1;

CREATE TABLE sync_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id TEXT NOT NULL,
  remote_device_id TEXT NOT NULL,
  remote_device_name TEXT,
  direction TEXT NOT NULL CHECK (direction IN ('send', 'receive', 'both')),
  todos_sent INTEGER NOT NULL DEFAULT 0,
  todos_received INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL CHECK (status IN ('running', 'success', 'failed', 'partial')),
  started_at INTEGER NOT NULL,
  completed_at INTEGER,
  error_message TEXT
) STRICT;
CREATE INDEX idx_sync_session ON sync_log(session_id);

CREATE TABLE version_vector (
  device_id TEXT PRIMARY KEY,
  hlc TEXT NOT NULL
) STRICT;

CREATE TABLE kv (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
`,
  },
  { version: 2, name: 'due dates as calendar dates', up: dueDatesAsCalendarDates },
  {
    version: 3,
    name: 'trash: deletions hidden by Delete forever',
    // Local only, never synced or backed up: "Delete forever" hides one deletion (its stamp) from
    // this device's "Recently deleted"; the tombstone itself stays and syncs (lib/db/trash.ts).
    sql: `
CREATE TABLE trash_hidden (
  id TEXT PRIMARY KEY,
  deleted_hlc TEXT NOT NULL
) STRICT;`,
  },
  { version: 4, name: 'history: the values each field had', sql: HISTORY_SQL },
  { version: 5, name: 'conflicts: causal contexts and the journal', sql: CONFLICTS_SQL },
  {
    version: 6,
    name: 'sorts with completed todos last',
    // One index per sort of the list, on the sort's key (lib/db/todo-queries.ts SORTS, the same
    // expressions: SQLite uses an expression index only for the same expression), so each sort,
    // with completed todos below the open ones, walks its index and stops at the page size.
    sql: `
CREATE INDEX idx_todos_sink_created ON todos(deleted, (created_at - completed * 100000000000000));
CREATE INDEX idx_todos_sink_due ON todos(deleted, (completed || IFNULL(due_date, '~')));
CREATE INDEX idx_todos_sink_priority ON todos(deleted, ((completed * 3 + (CASE priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END)) * 100000000000000 + (99999999999999 - created_at)));`,
  },
  {
    version: 7,
    name: 'counts from an index',
    // The list's counts (all / active / completed), asked after every change, read this index
    // alone instead of every row (100,000 todos, Node: 66 → 13 ms, load average 14).
    sql: 'CREATE INDEX idx_todos_completed ON todos(deleted, completed);',
  },
  { version: 8, name: 'purged todos marked', sql: PURGED_SQL },
  {
    version: 9,
    name: 'indexes no query uses dropped',
    // Every received or written row pays for each index. No statement the app runs reads these three
    // (EXPLAIN QUERY PLAN over every statement the unit suite prepares): `updated_at` and `device_id`
    // are never searched or sorted on, and `deleted` alone is the first column of four other indexes.
    sql: `
DROP INDEX IF EXISTS idx_updated_at;
DROP INDEX IF EXISTS idx_device_id;
DROP INDEX IF EXISTS idx_deleted;`,
  },
  {
    version: 10,
    name: 'arriving purged rows marked by the sync insert',
    // The AFTER INSERT trigger of v8 ran for every inserted row (its WHEN clause too), ~20 % of
    // inserting a 100,000-todo first sync. Only a synced row can arrive purged (local and imported
    // inserts write `deleted = 0`), so the sync's INSERT sets `purged_at` itself (lib/db/sync-storage.ts).
    sql: 'DROP TRIGGER IF EXISTS todos_purged_arrives;',
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
