/**
 * "Recently deleted" (lib/db/trash.ts): the newest deletions matching a search, reloaded after every
 * change the host announces (a restore here or a deletion synced from elsewhere).
 */
import type { TodoClient } from '../messages/client';
import type { TrashEntry } from '../messages/trash-schema';
import type { Health } from './health.svelte';
import { createViewErrors } from './view-errors.svelte';

export const TRASH_SHOWN = 100;

export function createTrashUi(client: TodoClient, health: Health) {
  let search = $state('');
  let items = $state.raw<TrashEntry[]>([]);
  let total = $state(0);
  let loaded = $state(false);
  const errors = createViewErrors(health);
  // Answers to an older search must not overwrite a newer one.
  let generation = 0;

  async function reload() {
    const gen = ++generation;
    const r = await client.send({ kind: 'trash.list', query: { search, limit: TRASH_SHOWN } });
    if (gen !== generation) return;
    loaded = true;
    if (!errors.loaded(r)) return;
    items = r.data.items;
    total = r.data.total;
  }
  const act = (req: Parameters<TodoClient['send']>[0]) => errors.act(() => client.send(req), reload);

  return {
    get search() {
      return search;
    },
    set search(s: string) {
      search = s;
      void reload();
    },
    get items() {
      return items;
    },
    get total() {
      return total;
    },
    get loaded() {
      return loaded;
    },
    get error() {
      return errors.message;
    },
    reload,
    restore: (e: TrashEntry) => act({ kind: 'todos.restore', id: e.todo.id }),
    forget: (e: TrashEntry) => act({ kind: 'trash.forget', id: e.todo.id }),
    empty: () => act({ kind: 'trash.empty' }),
  };
}
export type TrashUi = ReturnType<typeof createTrashUi>;
