/**
 * "Recently deleted": deleted todos are tombstones that keep their content (`deleted` is a field
 * like any other, lib/db/todo-writes.ts), so the trash is a query over them, and restoring is the
 * ordinary `restore` write (a new stamp on `deleted`, which syncs like any edit).
 *
 * "Delete forever" cannot drop the row: the tombstone is what stops a device that still holds the
 * todo from bringing it back. It hides that deletion from this device's trash instead
 * (`trash_hidden`, keyed by the deletion's stamp, so a later restore and delete shows it again).
 * The row, its content and its stamps stay as they are until tombstone collection purges its content
 * (lib/db/tombstone-purge.ts): a purged todo leaves this view for good.
 */
import type { TodoId } from '../model/ids';
import { wallOfHlc, type Hlc } from '../model/hlc';
import type { Todo } from '../model/todo';
import type { Sql } from './sql';
import { NOT_PURGED } from './tombstone-purge';
import { searchClause } from './todo-queries';
import { TODO_COLUMNS, todoFromRow, type TodoRow } from './todo-row';

export interface TrashItem {
  todo: Todo;
  /** Wall-clock ms of the deleting write (its stamp), on the device that deleted it. */
  deletedAt: number;
}
export interface TrashPage {
  items: TrashItem[];
  /** Every shown deletion matching the search, of which `items` are the newest. */
  total: number;
}

/** Deleted, not purged (lib/db/tombstone-purge.ts), and not hidden for this very deletion. */
const SHOWN = `deleted = 1 AND ${NOT_PURGED} AND NOT EXISTS
  (SELECT 1 FROM trash_hidden h WHERE h.id = todos.id AND h.deleted_hlc = todos.deleted_hlc)`;

export function createTrash(sql: Sql) {
  return {
    /** The newest `limit` deletions matching `search` (title or description), newest first. */
    list(search: string, limit: number): TrashPage {
      const s = searchClause(search);
      const rows = sql.all<TodoRow & { deleted_hlc: string }>(
        `SELECT ${TODO_COLUMNS}, deleted_hlc FROM todos WHERE ${SHOWN}${s.sql}
         ORDER BY deleted_hlc DESC, id LIMIT ?`,
        [...s.params, limit],
      );
      const total =
        sql.get<{ n: number }>(`SELECT count(*) AS n FROM todos WHERE ${SHOWN}${s.sql}`, s.params)?.n ?? 0;
      return {
        items: rows.map((r) => ({ todo: todoFromRow(r), deletedAt: wallOfHlc(r.deleted_hlc as Hlc) })),
        total,
      };
    },
    /** "Delete forever": false when the todo is not (or no longer) deleted. */
    forget(id: TodoId): boolean {
      return sql.transaction(() => {
        const r = sql.get<{ deleted_hlc: string }>(
          'SELECT deleted_hlc FROM todos WHERE id = ? AND deleted = 1',
          [id],
        );
        if (!r) return false;
        sql.run(
          `INSERT INTO trash_hidden (id, deleted_hlc) VALUES (?, ?)
           ON CONFLICT(id) DO UPDATE SET deleted_hlc = excluded.deleted_hlc`,
          [id, r.deleted_hlc],
        );
        return true;
      });
    },
    /** "Empty trash": hides every deletion shown now; returns how many. */
    empty(): number {
      return sql.transaction(() => {
        const n = sql.get<{ n: number }>(`SELECT count(*) AS n FROM todos WHERE ${SHOWN}`)?.n ?? 0;
        // Marks of deletions since undone are dead weight: a new deletion has a new stamp.
        sql.run(
          `DELETE FROM trash_hidden WHERE NOT EXISTS
           (SELECT 1 FROM todos t WHERE t.id = trash_hidden.id AND t.deleted = 1 AND t.deleted_hlc = trash_hidden.deleted_hlc)`,
        );
        sql.run(
          `INSERT INTO trash_hidden (id, deleted_hlc) SELECT id, deleted_hlc FROM todos WHERE deleted = 1
           ON CONFLICT(id) DO UPDATE SET deleted_hlc = excluded.deleted_hlc`,
        );
        return n;
      });
    },
  };
}
export type Trash = ReturnType<typeof createTrash>;
