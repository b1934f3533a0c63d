/**
 * A view's error line (Recently deleted, Conflicts): a failed load shows until a load succeeds, a
 * failed action until the next action; storage failures also go to the page's alert (Health).
 */
import type { Result } from '../messages/requests';
import type { Health } from './health.svelte';

export function createViewErrors(health: Health) {
  let loadError = $state('');
  let actionError = $state('');

  function failed(r: Result<unknown>): string {
    if (r.ok) return '';
    health.report(r.error);
    return r.error.message;
  }

  return {
    /** What the view shows: the last action's error first, else the last load's. */
    get message() {
      return actionError || loadError;
    },
    /** Records a load's answer; true when it brought data. */
    loaded<T>(r: Result<T>): r is { ok: true; data: T } {
      loadError = failed(r);
      return r.ok;
    },
    /** Runs an action, keeps its error, then reloads the view; resolves to whether the action succeeded. */
    async act(run: () => Promise<Result<unknown>>, reload: () => Promise<void>): Promise<boolean> {
      actionError = '';
      const r = await run();
      actionError = failed(r);
      await reload();
      return r.ok;
    },
  };
}
