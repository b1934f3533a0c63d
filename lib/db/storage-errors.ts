/**
 * SQLite failures → what the user can act on. sqlite-wasm throws SQLite3Error whose message names the
 * result code (e.g. "SQLITE_FULL: sqlite3 result code 13: database or disk is full").
 */
import type { HostError } from '../messages/requests';

export function storageErrorFrom(e: unknown): HostError {
  const text = e instanceof Error ? e.message : String(e);
  if (/SQLITE_FULL|QuotaExceeded|disk is full/i.test(text))
    return {
      code: 'storage.full',
      message:
        'Your browser has no room left for Todo-Tasker. Free some disk space; nothing saved so far is lost.',
    };
  if (/SQLITE_CORRUPT|SQLITE_NOTADB|malformed|not a database/i.test(text))
    return {
      code: 'storage.corrupt',
      message: 'The todo database is damaged and could not be read. Your last change was not saved.',
    };
  if (/SQLITE_BUSY|SQLITE_LOCKED|locked|NoModificationAllowed|createSyncAccessHandle/i.test(text))
    return {
      code: 'storage.locked',
      message:
        'The todo database is in use by another window. Close other Todo-Tasker windows and try again.',
    };
  return {
    code: 'storage.error',
    message: 'Your change could not be saved because storage failed. Please try again.',
  };
}
