/** A todo's History in its editor: the values each field had here (lib/db/todo-history.ts). */
import type { TodoClient } from '../messages/client';
import type { HistoryEntryWire } from '../messages/history-schema';
import type { TodoPatch } from '../messages/todo-schema';
import type { TodoId } from '../model/ids';
import type { SyncField } from '../model/todo';

export const FIELD_LABELS: Record<SyncField, string> = {
  title: 'Title',
  description: 'Description',
  completed: 'Completed',
  priority: 'Priority',
  due_date: 'Due date',
  deleted: 'Deleted',
};

/** A value as words; never HTML. */
export function valueText(field: SyncField, v: HistoryEntryWire['value']): string {
  if (field === 'completed') return v ? 'done' : 'not done';
  if (field === 'deleted') return v ? 'deleted' : 'not deleted';
  if (v === null || v === '') return field === 'due_date' ? 'no due date' : 'empty';
  if (field === 'due_date' && typeof v === 'string') return v.replace('T', ' ');
  return String(v);
}

/** The write that brings `e` back: an ordinary edit (or restore/delete), stamped now, which syncs. */
export function restoreRequest(id: TodoId, e: HistoryEntryWire) {
  if (e.field === 'deleted') return { kind: e.value ? 'todos.remove' : 'todos.restore', id } as const;
  const patch = { [e.field]: e.value } as TodoPatch;
  return { kind: 'todos.update', id, patch } as const;
}

export function createTodoHistory(client: TodoClient, id: () => TodoId) {
  let entries = $state.raw<HistoryEntryWire[]>([]);
  let loaded = $state(false);
  /** A failed load shows until a load succeeds; a failed restore until the next one. */
  let loadError = $state('');
  let actionError = $state('');
  async function reload() {
    const r = await client.send({ kind: 'todos.history', id: id() });
    loaded = true;
    if (r.ok) {
      entries = r.data;
      loadError = '';
    } else loadError = r.error.message;
  }
  return {
    get entries() {
      return entries;
    },
    get loaded() {
      return loaded;
    },
    get error() {
      return actionError || loadError;
    },
    reload,
    /** Resolves to the todo as the restore wrote it, or null when it failed (the error shows). */
    async restore(e: HistoryEntryWire) {
      actionError = '';
      const req = restoreRequest(id(), e);
      const r = req.kind === 'todos.update' ? await client.send(req) : await client.send(req);
      if (!r.ok) {
        actionError = r.error.message;
        await reload();
        return null;
      }
      // The editor hears of the write at once, not after the list's reload: typing in the restored
      // field in between would be replaced.
      void reload();
      return r.data;
    },
  };
}
