/**
 * Writing an import. Imported todos are new todos of this device whose ids are derived from their
 * content, so importing the same file again (or a later export of the same list) adds nothing:
 *
 *   key  = SHA-256("todo-tasker import v1" ‖ title, description, completed, priority, due ‖ n)
 *   id   = `${deviceId}-${48 bits of key, decimal}-${next 48 bits mod 36^8, base 36}`
 *
 * where n counts earlier rows of the same file with the same content (two identical lines are two
 * todos). The id keeps the `{deviceId}-{number}-{8 base-36}` shape every layer checks; its middle
 * part is not a time for imported todos. An id already in the list (even deleted since) is skipped.
 */
import { createSHA256, type IHasher } from 'hash-wasm';
import { insertImported, type ImportedTodo } from '../db/backup-store';
import type { Sql } from '../db/sql';
import type { HybridClock } from '../model/hlc';
import type { DeviceId, TodoId } from '../model/ids';
import { yieldToEvents, type Progress } from './backup-jobs';
import type { Candidate } from './import-parse';

export const IMPORT_CHUNK = 2000;

let hasher: Promise<IHasher> | null = null;

export async function importIds(deviceId: DeviceId, todos: readonly Candidate[]): Promise<TodoId[]> {
  const h = await (hasher ??= createSHA256());
  const seen = new Map<string, number>();
  return todos.map((t) => {
    const content = JSON.stringify([t.title, t.description, t.completed, t.priority, t.due_date]);
    const n = seen.get(content) ?? 0;
    seen.set(content, n + 1);
    const d = h.init().update(`todo-tasker import v1\n${content}\n${n}`).digest('binary');
    let a = 0;
    for (let i = 0; i < 6; i++) a = a * 256 + d[i]!;
    let b = 0;
    for (let i = 6; i < 12; i++) b = b * 256 + d[i]!;
    const tail = (b % 36 ** 8).toString(36).padStart(8, '0');
    return `${deviceId}-${a}-${tail}` as TodoId;
  });
}

/**
 * Inserts the candidates in transactions of IMPORT_CHUNK. Todos without a creation time get
 * `now - i` ms, so the list's newest-first order shows them in the file's order.
 */
export async function writeImport(
  todos: readonly Candidate[],
  deps: { sql: Sql; clock: HybridClock; deviceId: DeviceId; now?: () => number; onProgress?: Progress },
): Promise<{ added: number; skipped: number }> {
  const now = (deps.now ?? Date.now)();
  const ids = await importIds(deps.deviceId, todos);
  let added = 0;
  let skipped = 0;
  for (let i = 0; i < todos.length; i += IMPORT_CHUNK) {
    const items: ImportedTodo[] = todos.slice(i, i + IMPORT_CHUNK).map((c, k) => ({
      id: ids[i + k]!,
      created_at: c.created_at ?? now - (i + k),
      values: {
        title: c.title,
        description: c.description,
        completed: c.completed,
        priority: c.priority,
        due_date: c.due_date,
      },
    }));
    const r = insertImported(deps.sql, deps.clock, deps.deviceId, items, now);
    added += r.added;
    skipped += r.skipped;
    deps.onProgress?.(Math.min(i + IMPORT_CHUNK, todos.length), todos.length);
    await yieldToEvents();
  }
  return { added, skipped };
}
