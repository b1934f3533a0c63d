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

export function createConflictsUi(client: TodoClient, health: Health) {
  let items = $state.raw<ConflictItem[]>([]);
  let loaded = $state(false);
  let error = $state('');
  let generation = 0;
  // Rebuilt whole from `items`, never mutated: a plain Set is what is wanted.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  const ids = $derived(new Set<string>(items.map((c) => c.todoId)));

  async function reload() {
    const gen = ++generation;
    const r = await client.send({ kind: 'conflicts.list' });
    if (gen !== generation) return;
    loaded = true;
    if (!r.ok) {
      health.report(r.error);
      error = r.error.message;
      return;
    }
    error = '';
    items = r.data;
  }
  async function resolve(c: ConflictItem, keep: 'other' | 'shown') {
    const r = await client.send({
      kind: 'conflicts.resolve',
      resolve: { id: c.todoId, field: c.field, loserHlc: c.loserHlc, keep },
    });
    if (!r.ok) {
      health.report(r.error);
      error = r.error.message;
    }
    await reload();
    return r.ok;
  }

  return {
    get items() {
      return items;
    },
    get loaded() {
      return loaded;
    },
    get error() {
      return error;
    },
    /** Todos with at least one open conflict. */
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
