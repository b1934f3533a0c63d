/**
 * The Conflicts view's state (issue 14): the journal's open conflicts (lib/db/conflict-journal.ts),
 * reloaded after every change the host announces (a merge that found one, a resolution here or
 * synced from elsewhere), and the ids of the todos they concern, for the "edited on two devices"
 * marker in the list (provided through a Svelte context: pages without conflicts show no marker).
 */
import { getContext, setContext } from 'svelte';
import type { TodoClient } from '../messages/client';
import type { ConflictItem } from '../messages/conflict-schema';
import type { Health } from './health.svelte';
import { createViewErrors } from './view-errors.svelte';

export function createConflictsUi(client: TodoClient, health: Health) {
  let items = $state.raw<ConflictItem[]>([]);
  let total = $state(0);
  let loaded = $state(false);
  const errors = createViewErrors(health);
  // Rebuilt whole from `items`, never mutated: a plain Set is what is wanted.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  const ids = $derived(new Set<string>(items.map((c) => c.todoId)));
  // A sync announces a change per batch: one load at a time, and one more after it if asked meanwhile.
  let running: Promise<void> | null = null;
  let again = false;

  async function load() {
    const r = await client.send({ kind: 'conflicts.list' });
    loaded = true;
    if (!errors.loaded(r)) return;
    items = r.data.items;
    total = r.data.total;
  }
  function reload(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await load();
      } while (again);
      running = null;
    })();
    return running;
  }
  const resolve = (c: ConflictItem, keep: 'other' | 'shown') =>
    errors.act(
      () =>
        client.send({
          kind: 'conflicts.resolve',
          resolve: { id: c.todoId, field: c.field, loserHlc: c.loserHlc, keep },
        }),
      reload,
    );

  return {
    /** The newest CONFLICTS_SHOWN open conflicts. */
    get items() {
      return items;
    },
    /** How many are open in all. */
    get total() {
      return total;
    },
    get loaded() {
      return loaded;
    },
    get error() {
      return errors.message;
    },
    /** Todos with at least one open conflict (among those shown). */
    get ids() {
      return ids;
    },
    reload,
    keep: (c: ConflictItem) => resolve(c, 'other'),
    dismiss: (c: ConflictItem) => resolve(c, 'shown'),
  };
}
export type ConflictsUi = ReturnType<typeof createConflictsUi>;

const KEY = Symbol('conflicts');
export const provideConflicts = (c: ConflictsUi): void => void setContext(KEY, c);
export const conflictsFromContext = (): ConflictsUi | undefined => getContext<ConflictsUi | undefined>(KEY);
