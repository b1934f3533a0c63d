/**
 * Versioned schema. Each migration runs once, in a transaction with the `user_version` bump, on open
 * (see applyMigrations in lib/db/migrate.ts). Never edit a shipped migration: add the next one.
 *
 * Beyond the original design: one HLC stamp column per syncable field (`<field>_hlc`) for field-level
 * last-writer-wins, `version` = the greatest of those stamps (indexed, for sync scans), and
 * `version_vector`: per origin device, the greatest stamp this device is known to dominate.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

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
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
