/** SQLite row ↔ Todo. SQLite has no booleans; the wire and the UI do. */
import type { DeviceId, TodoId } from '../model/ids';
import { isDueDate } from '../model/due-date';
import { isPriority, type Todo } from '../model/todo';

export interface TodoRow {
  id: string;
  title: string;
  description: string | null;
  completed: number;
  priority: string;
  due_date: string | null;
  device_id: string;
  created_at: number;
  updated_at: number;
  deleted: number;
}

/** Every stored column of `todos`, in the order the INSERTs of todo-writes and sync-storage bind them. */
export const TODO_STORED_COLUMNS = `id, title, description, completed, priority, due_date, device_id, created_at,
  updated_at, deleted, synced, title_hlc, description_hlc, completed_hlc, priority_hlc, due_date_hlc, deleted_hlc, version`;

export const TODO_COLUMNS =
  'id, title, description, completed, priority, due_date, device_id, created_at, updated_at, deleted';

export function todoFromRow(r: TodoRow): Todo {
  return {
    id: r.id as TodoId,
    title: r.title,
    description: r.description,
    completed: r.completed === 1,
    // The CHECK constraint keeps priority valid; this guards against a hand-edited database.
    priority: isPriority(r.priority) ? r.priority : 'medium',
    due_date: isDueDate(r.due_date) ? r.due_date : null,
    device_id: r.device_id as DeviceId,
    created_at: r.created_at,
    updated_at: r.updated_at,
    deleted: r.deleted === 1,
  };
}
