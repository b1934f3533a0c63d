/**
 * What is inside a backup once decrypted: UTF-8 JSON lines. The first line describes the backup;
 * each further line is one todo with every field and its HLC stamp (tombstones included), so a
 * restore merges exactly as a sync would. Nothing else of the database is in it: not the device's
 * identity keys, not circle secrets, not settings or sync history.
 */
import { isHlc, type Hlc } from '../model/hlc';
import { creatorOf, isTodoId } from '../model/ids';
import type { SyncRow } from '../model/merge';
import { isDueDate } from '../model/due-date';
import { DESCRIPTION_MAX, isPriority, SYNC_FIELDS, TITLE_MAX } from '../model/todo';

export const BACKUP_CONTENT_KIND = 'todo-tasker-backup';
export const BACKUP_CONTENT_SCHEMA = 1;

export interface BackupMeta {
  kind: typeof BACKUP_CONTENT_KIND;
  schema: number;
  createdAt: number;
  /** rows that follow */
  todos: number;
}

/** `[id, created_at, title, description, completed, priority, due_date, deleted, stamps, which]` */
type RowLine = [string, number, string, string | null, 0 | 1, string, string | null, 0 | 1, string[], string];

export function encodeRow(r: SyncRow): string {
  const stamps: Hlc[] = [];
  let which = '';
  for (const f of SYNC_FIELDS) {
    let i = stamps.indexOf(r.hlc[f]);
    if (i < 0) i = stamps.push(r.hlc[f]) - 1;
    which += i;
  }
  const line: RowLine = [
    r.id,
    r.created_at,
    r.title,
    r.description,
    r.completed ? 1 : 0,
    r.priority,
    r.due_date,
    r.deleted ? 1 : 0,
    stamps,
    which,
  ];
  return JSON.stringify(line);
}

const isBit = (v: unknown): v is 0 | 1 => v === 0 || v === 1;

/** A row line checked field by field, or null: a decrypted file is the user's, but not trusted blindly. */
export function decodeRow(line: string): SyncRow | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (!Array.isArray(v) || v.length !== 10) return null;
  const [id, created, title, description, completed, priority, due, deleted, stamps, which] = v as unknown[];
  if (!isTodoId(id) || !Number.isSafeInteger(created) || (created as number) < 0) return null;
  if (typeof title !== 'string' || title.length === 0 || title.length > TITLE_MAX) return null;
  if (description !== null && (typeof description !== 'string' || description.length > DESCRIPTION_MAX))
    return null;
  if (!isBit(completed) || !isBit(deleted) || !isPriority(priority)) return null;
  if (due !== null && !isDueDate(due)) return null;
  if (!Array.isArray(stamps) || stamps.length < 1 || stamps.length > 6 || !stamps.every(isHlc)) return null;
  if (typeof which !== 'string' || !/^[0-5]{6}$/.test(which)) return null;
  const hlc = {} as SyncRow['hlc'];
  for (const [i, f] of SYNC_FIELDS.entries()) {
    const s = stamps[Number(which[i])] as Hlc | undefined;
    if (s === undefined) return null;
    hlc[f] = s;
  }
  return {
    id,
    device_id: creatorOf(id),
    created_at: created as number,
    title,
    description,
    completed: completed === 1,
    priority,
    due_date: due,
    deleted: deleted === 1,
    hlc,
  };
}

export function encodeMeta(todos: number, createdAt: number): string {
  const m: BackupMeta = { kind: BACKUP_CONTENT_KIND, schema: BACKUP_CONTENT_SCHEMA, createdAt, todos };
  return JSON.stringify(m);
}

export function decodeMeta(line: string): BackupMeta | null {
  try {
    const m = JSON.parse(line) as Partial<BackupMeta> | null;
    if (m?.kind !== BACKUP_CONTENT_KIND || typeof m.schema !== 'number') return null;
    if (!Number.isSafeInteger(m.todos) || !Number.isFinite(m.createdAt)) return null;
    return m as BackupMeta;
  } catch {
    return null;
  }
}

/** Splits UTF-8 bytes arriving in pieces into lines (`\n`); `end` returns a last unterminated line. */
export function createLineSplitter(onLine: (line: string) => void) {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let rest = '';
  const feed = (text: string) => {
    const parts = (rest + text).split('\n');
    rest = parts.pop()!;
    for (const p of parts) onLine(p);
  };
  return {
    push(bytes: Uint8Array) {
      feed(decoder.decode(bytes, { stream: true }));
    },
    end() {
      feed(decoder.decode());
      if (rest !== '') onLine(rest);
      rest = '';
    },
  };
}
