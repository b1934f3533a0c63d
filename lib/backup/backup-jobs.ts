/**
 * Making and restoring a backup against an open database, in chunks with progress. Runs in the DB
 * worker (and in Node tests); the file is a Blob both ways, so nothing large crosses a message.
 */
import type { HybridClock } from '../model/hlc';
import type { SyncRow } from '../model/merge';
import { countAllRows, pageAllRows, recordBackup, restoreRows, type RestoreCounts } from '../db/backup-store';
import type { Sql } from '../db/sql';
import { createLineSplitter, decodeMeta, decodeRow, encodeMeta, encodeRow } from './backup-content';
import { createBackupWriter, openBackup, type BackupReason, type WriterOptions } from './backup-file';

/** Rows per read page and per restore transaction. */
export const BACKUP_CHUNK = 2000;

export type Progress = (done: number, total: number) => void;

/** Lets the worker answer other requests (and post progress) between chunks. */
export const yieldToEvents = () => new Promise<void>((r) => setTimeout(r, 0));

export interface BackupDeps {
  sql: Sql;
  now?: () => number;
  onProgress?: Progress;
  /** tests: cheaper KDF and small segments */
  writer?: WriterOptions;
}

/** `todo-tasker-YYYY-MM-DD.ttbackup`, the local date. */
export function backupFileName(now: number): string {
  const d = new Date(now);
  const p = (n: number) => String(n).padStart(2, '0');
  return `todo-tasker-${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}.ttbackup`;
}

export async function makeBackup(
  passphrase: string,
  deps: BackupDeps,
): Promise<{ blob: Blob; todos: number }> {
  const { sql } = deps;
  const now = (deps.now ?? Date.now)();
  const enc = new TextEncoder();
  const writer = await createBackupWriter(passphrase, deps.writer);
  const total = countAllRows(sql);
  await writer.push(enc.encode(encodeMeta(total, now) + '\n'));
  let after = '';
  let done = 0;
  for (;;) {
    const rows = pageAllRows(sql, after, BACKUP_CHUNK);
    if (rows.length === 0) break;
    await writer.push(enc.encode(rows.map(encodeRow).join('\n') + '\n'));
    after = rows[rows.length - 1]!.id;
    done += rows.length;
    deps.onProgress?.(done, total);
    await yieldToEvents();
  }
  const blob = new Blob((await writer.finish()) as BlobPart[], { type: 'application/octet-stream' });
  recordBackup(sql, now);
  return { blob, todos: done };
}

export type RestoreResult =
  ({ ok: true; rows: number } & RestoreCounts) | { ok: false; reason: BackupReason | 'invalid-content' };

/**
 * Verifies the whole file first (passphrase, every segment, every row), so a wrong passphrase or a
 * damaged file changes nothing; then decrypts again and merges in transactions of BACKUP_CHUNK rows.
 * Merge is idempotent, so a restore cut short by a full disk can simply be run again.
 */
export async function restoreBackup(
  file: Blob,
  passphrase: string,
  deps: { sql: Sql; clock: HybridClock; now?: () => number; onProgress?: Progress },
): Promise<RestoreResult> {
  const opened = await openBackup(file, passphrase);
  if (!opened.ok) return opened;
  const now = deps.now ?? Date.now;
  const total = opened.header.plainLength * 2;
  let seen = 0;

  // Pass 1: decrypt and validate, keeping nothing.
  let rowCount = 0;
  let bad = false;
  let metaRows = -1;
  let first = true;
  const check = createLineSplitter((line) => {
    if (bad) return;
    if (first) {
      first = false;
      const m = decodeMeta(line);
      if (!m) bad = true;
      else metaRows = m.todos;
      return;
    }
    if (decodeRow(line)) rowCount++;
    else bad = true;
  });
  const verified = await opened.read(async (bytes) => {
    if (!bad) check.push(bytes);
    seen += bytes.length;
    deps.onProgress?.(seen, total);
    await yieldToEvents();
  });
  if (!verified.ok) return verified;
  try {
    check.end();
  } catch {
    bad = true; // not UTF-8
  }
  if (bad || first || rowCount !== metaRows) return { ok: false, reason: 'invalid-content' };

  // Pass 2: merge.
  const counts: RestoreCounts = { added: 0, changed: 0, unchanged: 0, skipped: 0 };
  let batch: SyncRow[] = [];
  const flush = () => {
    if (batch.length === 0) return;
    const c = restoreRows(deps.sql, deps.clock, batch, now());
    counts.added += c.added;
    counts.changed += c.changed;
    counts.unchanged += c.unchanged;
    counts.skipped += c.skipped;
    batch = [];
  };
  let head = true;
  const apply = createLineSplitter((line) => {
    if (head) {
      head = false;
      return;
    }
    batch.push(decodeRow(line)!);
  });
  const applied = await opened.read(async (bytes) => {
    apply.push(bytes);
    while (batch.length >= BACKUP_CHUNK) {
      const rest = batch.slice(BACKUP_CHUNK);
      batch = batch.slice(0, BACKUP_CHUNK);
      flush();
      batch = rest;
    }
    seen += bytes.length;
    deps.onProgress?.(seen, total);
    await yieldToEvents();
  });
  if (!applied.ok) return applied; // the file changed between the passes
  apply.end();
  flush();
  return { ok: true, rows: rowCount, ...counts };
}
