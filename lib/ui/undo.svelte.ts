/**
 * The "Deleted … Undo" notices after soft deletes. Each delete gets its own notice with its own
 * Undo, so after several quick deletes every one of them can still be brought back (issue 12.5);
 * a notice disappears SHOW_MS after its delete, and only the newest MAX_SHOWN are kept.
 */
import type { TodoClient } from '../messages/client';
import type { WireTodo } from '../messages/todo-schema';
import type { Health } from './health.svelte';

const SHOW_MS = 10_000;
const MAX_SHOWN = 5;

export interface UndoNotice {
  key: number;
  message: string;
  /** The deleted todo, or null when the notice reports a failure (nothing to undo). */
  todo: WireTodo | null;
  /**
   * What had focus when the delete was asked for (its Delete button). The notice's Undo takes focus
   * only from there or from nowhere: never from a box the user has moved on to and is typing in.
   */
  focusFrom: Element | null;
}

export function createUndo(client: TodoClient, health: Health) {
  let notices = $state.raw<UndoNotice[]>([]);
  // Not state: timers are bookkeeping, never rendered.
  const timers: Record<number, ReturnType<typeof setTimeout>> = {};
  let nextKey = 0;

  const drop = (key: number) => {
    clearTimeout(timers[key]);
    delete timers[key];
    notices = notices.filter((n) => n.key !== key);
  };
  const show = (message: string, todo: WireTodo | null, focusFrom: Element | null = null): number => {
    const key = nextKey++;
    const kept = [...notices, { key, message, todo, focusFrom }];
    for (const old of kept.slice(0, Math.max(0, kept.length - MAX_SHOWN))) drop(old.key);
    notices = kept.slice(-MAX_SHOWN);
    timers[key] = setTimeout(() => drop(key), SHOW_MS);
    return key;
  };

  return {
    /** Newest last. */
    get notices() {
      return notices;
    },
    async remove(todo: WireTodo) {
      const focusFrom = typeof document === 'undefined' ? null : document.activeElement;
      const r = await client.send({ kind: 'todos.remove', id: todo.id });
      if (!r.ok) {
        health.report(r.error);
        show(`Could not delete “${todo.title}”: ${r.error.message}`, null);
        return;
      }
      show(`Deleted “${todo.title}”`, todo, focusFrom);
    },
    dismiss: drop,
    /** Restores the notice's todo; resolves to it once restored, or null (the notice then says why). */
    async undo(key: number): Promise<WireTodo | null> {
      const n = notices.find((x) => x.key === key);
      if (!n?.todo) return null;
      const todo = n.todo;
      const r = await client.send({ kind: 'todos.restore', id: todo.id });
      drop(key);
      if (r.ok) return todo;
      health.report(r.error);
      show(`Could not restore “${todo.title}”: ${r.error.message}`, null);
      return null;
    },
  };
}
export type Undo = ReturnType<typeof createUndo>;
